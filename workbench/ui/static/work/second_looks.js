// The reviewer's second looks on the queue page (ui/queue_page.py): a senior's "Checks for
// you" (sampled acceptances: Play, then Confirm or Overturn, ui/senior_api.py) and the double
// transcriptions that disagree (Play the span, then pick the first text, the second, or write
// a third, ui/double_api.py). Each section stays hidden until its JSON lists something; a reviewer
// who is not a senior is refused the checks and never sees that section.
import { api, ApiError, failure } from "./api.js";
import { h } from "./dom.js";
import { tr } from "./i18n.js";
import { PlayTracker, union, withinSegment } from "./intervals.js";

const $ = (id) => document.getElementById(id);

// POST and read the list again; a refusal shows beside the item and changes nothing (the
// buttons as they were: ``redraw`` locks again those that wait for the audio).
async function decide(item, path, body, reload, redraw = () => {}) {
  const error = item.querySelector(".take-error");
  item.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    await api("POST", path, body);
    await reload();
  } catch (e) {
    error.textContent = failure(e);
    item.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    redraw();
  }
}

// The listening to a check or a dispute (``look``: its audio route and duration), as on the
// reviewer's page (plays.js): its own <audio> (marked ``mark``) plays the look's audio route;
// what really played goes to ``playPath`` at a pause or the end, and the server alone says
// when it is heard. The buttons wait for that. A report the server cannot take yet (the
// audio still on its way: 409) is sent again.
function listenTo(look, mark, playPath, item, redraw) {
  const audio = h("audio", { preload: "none", src: look.audio, hidden: true, [mark]: look.id });
  const tracker = new PlayTracker();
  let unsent = [];
  const running = () => !audio.paused && !audio.seeking;
  const report = async (retries = 3) => {
    unsent = union([...unsent, ...tracker.take()]);
    const intervals = withinSegment(unsent, look.duration);
    if (!intervals.length) return;
    unsent = [];
    try {
      Object.assign(look, await api("POST", playPath, { intervals }));
      redraw();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && retries > 0) {
        unsent = union([...unsent, ...intervals]);
        setTimeout(() => report(retries - 1), 1000);
      } else {
        item.querySelector(".take-error").textContent = failure(error);
      }
    }
  };
  for (const type of ["playing", "seeked"]) audio.addEventListener(type, () => tracker.open(audio.currentTime, running()));
  audio.addEventListener("seeking", () => tracker.close());
  audio.addEventListener("timeupdate", () => tracker.extend(audio.currentTime, running()));
  for (const type of ["pause", "ended"]) {
    audio.addEventListener(type, () => {
      tracker.extend(type === "ended" ? audio.duration : audio.currentTime, running());
      tracker.close();
      report();
    });
  }
  const play = () => { audio.currentTime = 0; audio.play().catch(() => {}); };
  return { audio, play };
}

// "heard", or how much is heard yet; the buttons unlock once the server says it is heard.
function heardRedraw(look, heard, buttons) {
  return () => {
    heard.textContent = look.heard ? tr("heard")
      : `${tr("heard {percent} %", { percent: Math.round(look.heard_share * 100) })} · ${tr("Play it to the end before you decide.")}`;
    for (const button of buttons) button.disabled = !look.heard;
  };
}

const playButton = (play) => h("button", { class: "btn", type: "button", "data-play": "", onclick: play }, tr("Play"));

function checkItem(check) {
  const item = h("li", { class: "second-look", "data-check": check.id });
  const verdict = (value) => () => decide(item, `/senior-checks/${check.id}`, { verdict: value }, showChecks, redraw);
  const heard = h("span", { class: "heard", "aria-live": "polite" });
  const buttons = [
    h("button", { class: "btn ok", type: "button", onclick: verdict("confirmed") }, tr("Confirm")),
    h("button", { class: "btn bad", type: "button", onclick: verdict("overturned") }, tr("Overturn")),
  ];
  const redraw = heardRedraw(check, heard, buttons);
  const { audio, play } = listenTo(check, "data-check-audio", `/senior-checks/${check.id}/play`, item, redraw);
  // Native append writes null as "null": an absent neighbour is an empty string.
  const around = (text, line) => (text ? h("p", { class: "meta around", lang: check.language }, line) : "");
  item.append(
    h("p", { class: "meta" }, tr("Task {task} · {project}", { task: check.task_id, project: check.project })),
    around(check.before, tr("Before: {text}", { text: check.before })),
    h("p", { class: "said", lang: check.language }, check.text || tr("(no text)")),
    around(check.after, tr("After: {text}", { text: check.after })),
    h("p", { class: "meta" }, check.corrected_from === null ? tr("The reviewer accepted this text.")
      : tr("The reviewer accepted it, corrected from: {text}", { text: check.corrected_from })),
    h("p", {},
      playButton(play), " ", buttons[0], " ", buttons[1], " ", heard, " ",
      h("span", { class: "take-error", role: "alert" })),
    audio);
  redraw();
  return item;
}

function disputeItem(dispute) {
  const item = h("li", { class: "second-look", "data-dispute": dispute.id });
  const settle = (choice, text) => decide(item, `/double/disputes/${dispute.id}`, { choice, text }, showDisputes,
    redraw);
  const third = h("input", { type: "text", class: "third", "aria-label": tr("Third text"), lang: dispute.language });
  item.append(
    h("p", { class: "meta" }, tr("{start}–{end} s", { start: dispute.start.toFixed(1), end: dispute.end.toFixed(1) })),
    h("div", { class: "side-by-side" },
      h("p", { class: "said", lang: dispute.language }, dispute.first_text),
      h("p", { class: "said", lang: dispute.language }, dispute.second_text)));
  if (dispute.note) {  // the original's transcriber split or merged the span: its review decides
    item.append(h("p", { class: "take-error" }, dispute.note));
    return item;
  }
  // The settler hears the original clip over the span first: the picks wait for that.
  const heard = h("span", { class: "heard", "aria-live": "polite" });
  const buttons = [
    h("button", { class: "btn", type: "button", onclick: () => settle("first") }, tr("Pick first")),
    h("button", { class: "btn", type: "button", onclick: () => settle("second") }, tr("Pick second")),
    h("button", { class: "btn", type: "button", onclick: () => settle("third", third.value) }, tr("Write a third")),
  ];
  const redraw = heardRedraw(dispute, heard, buttons);
  const { audio, play } = listenTo(dispute, "data-dispute-audio", `/double/disputes/${dispute.id}/play`, item, redraw);
  item.append(
    h("p", {}, playButton(play), " ", buttons[0], " ", buttons[1], " ", heard),
    h("p", {}, third, " ", buttons[2], " ", h("span", { class: "take-error", role: "alert" })),
    audio);
  redraw();
  return item;
}

async function fill(section, list, path, pick, item) {
  let found = [];
  try {
    found = pick(await api("GET", path));
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) { section.hidden = true; return; }
    list.replaceChildren(h("li", { class: "empty" }, failure(error)));
    section.hidden = false;
    return;
  }
  section.hidden = !found.length;
  list.replaceChildren(...found.map(item));
}

export const showChecks = () => fill($("checks"), $("check-list"), "/senior-checks", (data) => data, checkItem);
export const showDisputes = () => fill($("disputes"), $("dispute-list"), "/double/disputes",
  (data) => data.disputes, disputeItem);
