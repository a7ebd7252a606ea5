// The transcriber's listening settings, in the footer beside the hotkeys: the rewind on
// resume (0–3 s), "pause while typing" and the loop. Kept per browser in localStorage.
import { h } from "./dom.js";
import { readSettings, REWIND_CHOICES, TypingPause } from "./listening.js";
import { tr } from "./i18n.js";

const KEY = "wb-listening";

// Applies the stored settings to ``player``, shows them in ``footer`` and returns the
// page's TypingPause (its ``typed()`` goes in the sentence boxes' input handler).
export function installListening(player, footer, storage = localStorage) {
  const settings = readSettings(storage.getItem(KEY));
  const store = () => storage.setItem(KEY, JSON.stringify(settings));
  player.rewind = settings.rewind;
  const typing = new TypingPause({
    playing: () => !player.audio.paused || Boolean(player.leadIn),
    pause: () => { player.stopLeadIn(); player.audio.pause(); },
    resume: () => player.resume(),
  }, { set: (fn, ms) => setTimeout(fn, ms), clear: (handle) => clearTimeout(handle) },
  { enabled: () => settings.pauseWhileTyping });

  const rewind = h("select", { id: "rewind", "aria-label": tr("Rewind on resume") },
    ...REWIND_CHOICES.map((s) => h("option", { value: s, selected: s === settings.rewind }, `${s} s`)));
  rewind.addEventListener("change", () => {
    settings.rewind = Number(rewind.value);
    player.rewind = settings.rewind;
    store();
  });
  const pausing = h("input", { id: "pause-while-typing", type: "checkbox", checked: settings.pauseWhileTyping });
  pausing.addEventListener("change", () => {
    settings.pauseWhileTyping = pausing.checked;
    if (!pausing.checked) typing.forget();
    store();
  });
  const loop = h("input", { id: "loop", type: "checkbox" });
  loop.addEventListener("change", () => player.setLoop(loop.checked));
  player.on((type) => { if (type === "loop") loop.checked = player.looping; });
  footer.after(h("div", { class: "listening", "aria-label": tr("Listening") },
    h("label", {}, tr("rewind on resume") + " ", rewind),
    h("label", {}, pausing, " " + tr("pause while typing")),
    h("label", {}, loop, " " + tr("loop segment"))));
  return typing;
}
