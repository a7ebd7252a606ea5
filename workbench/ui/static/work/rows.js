// What every segment row has on both pages, and the current row.
import { h, keepFocus } from "./dom.js";
import { nextRate } from "./listening.js";
import { clock } from "./text.js";
import { mediaUrl, spectrogramUrl } from "./urls.js";
import * as waveforms from "./waveforms.js";
import { tr } from "./i18n.js";

// Position and time, the waveform (click to play from there), the play button and the
// current row's player tools. ``pick(play)`` makes the row current.
export function rowParts(segment, player, pick) {
  const meta = h("div", { class: "seg-meta" }, h("b", {}, `#${segment.position}`), h("br"),
    clock(segment.start), h("br"), `${segment.duration.toFixed(1)} s`);
  const wave = h("canvas", { class: "seg-wave", "data-segment": segment.id, "data-audio": mediaUrl(segment, "clean"),
    title: tr("Click to play from here") });
  wave.addEventListener("click", (event) => {
    pick(true);
    const fraction = event.offsetX / wave.clientWidth;
    if (player.audio.readyState > 0) player.seekFraction(fraction);
    else player.audio.addEventListener("loadedmetadata", () => player.seekFraction(fraction), { once: true });
  });
  waveforms.watch(wave);
  const play = h("button", { class: "btn small", type: "button", title: tr("Play (Esc)"), "aria-label": tr("Play"),
    onmousedown: keepFocus, onclick: () => { pick(false); player.toggle(); } }, "▶");
  const tools = h("div", { class: "seg-tools" },
    h("span", { class: "playhead", title: tr("Where the playhead is (split cuts here)") }),
    h("button", { class: "btn small variant", type: "button", onmousedown: keepFocus,
      onclick: () => player.setVariant(player.variant === "clean" ? "original" : "clean") }, tr("clean")),
    h("button", { class: "btn small rate", type: "button", title: tr("Faster (Alt+, / Alt+. step)"), onmousedown: keepFocus,
      onclick: () => player.setRate(nextRate(player.rate)) }, "1×"),
    h("button", { class: "btn small", type: "button", onmousedown: keepFocus,
      onclick: (event) => toggleSpectrogram(event.target.closest(".seg"), segment) }, tr("spectrogram")));
  return { meta, wave, play, tools };
}

function toggleSpectrogram(row, segment) {
  const shown = row.querySelector(".seg-spectrogram");
  if (shown) shown.remove();
  else row.append(h("img", { class: "seg-spectrogram", src: spectrogramUrl(segment), alt: tr("Spectrogram") }));
}

// The current row's tools say which audio plays and how fast.
function showPlayer(tools, player) {
  const variant = tools.querySelector(".variant");
  variant.textContent = player.variant === "clean" ? tr("clean ⇄ original") : tr("original ⇄ clean");
  variant.classList.toggle("on", player.variant === "original");
  tools.querySelector(".rate").textContent = `${player.rate}×`;
  const { currentTime, duration } = player.audio;
  tools.querySelector(".playhead").textContent =
    `${currentTime.toFixed(1)} / ${Number.isFinite(duration) ? duration.toFixed(1) : "–"} s`;
}

// The current row on both pages: it has the class "current". ``page`` holds ``segments``,
// ``rows`` (segment id -> {li, wave, tools}) and ``current`` (an index, -1 for none).
export function makeCurrent(page, index, player, { play }) {
  const old = page.segments[page.current];
  if (old) {
    page.rows.get(old.id).li.classList.remove("current");
    waveforms.draw(page.rows.get(old.id).wave, 0);
  }
  page.current = index;
  const segment = page.segments[index];
  const row = page.rows.get(segment.id);
  row.li.classList.add("current");
  row.li.scrollIntoView({ block: "center" });  // the rows to come stay in view
  player.load(segment, { autoplay: play });
  showPlayer(row.tools, player);
}

// Keeps the current row's tools and waveform in step with the player; ``also(type)`` is
// the page's own bookkeeping for each player event.
export function followPlayer(page, player, also = () => {}) {
  player.on((type) => {
    const segment = page.segments[page.current];
    if (!segment || player.segmentId !== segment.id) return;
    const row = page.rows.get(segment.id);
    showPlayer(row.tools, player);
    also(type);
    waveforms.draw(row.wave, type === "ended" ? 0 : player.fraction);
  });
}
