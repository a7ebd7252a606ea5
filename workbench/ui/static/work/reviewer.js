// The reviewer's task view: listen to each segment (plays.js reports what was played; the
// server alone decides whether it was heard and may be accepted), accept it, possibly with
// corrected text, or return it with a comment.
import { trackActivity } from "./activity.js";
import { api, failure } from "./api.js";
import { banner } from "./banner.js";
import { fit, h, keepFocus, oneLine } from "./dom.js";
import { tellQueue } from "./frame.js";
import { installHotkeys } from "./hotkeys.js";
import { REVIEWER_KEYS } from "./keymap.js";
import { Player, playerKeyActions } from "./player.js";
import { untouchedNote } from "./machine_draft.js";
import { Plays } from "./plays.js";
import { followPlayer, makeCurrent, rowParts } from "./rows.js";
import { spaceRuns } from "./spaces.js";
import { clean, stateName, statusLabels } from "./text.js";
import { installTimeline } from "./timeline_view.js";
import { tr } from "./i18n.js";

const taskId = Number(document.body.dataset.task);
const player = new Player();
const page = { task: null, segments: [], rows: new Map(), current: -1, editable: false };
const segmentById = (id) => page.segments.find((s) => s.id === id);
const decided = (s) => s.decided;  // the server says, from its move table
const plays = new Plays(player, { segment: segmentById, heard: (s) => { updateRow(s); if (s.heard) dropListenBanner(s); },
  editable: () => page.editable });

let timeline = null;  // the whole-clip timeline: click a region to go to it (timeline_view.js)
const showTimeline = () => { if (timeline) timeline.show(page.segments, page.current, false); };

// Play-through (Alt+G on, Alt+G off): each segment plays to its end and the next undecided
// one starts. Esc stops (and plays on) as always; deciding the current segment (Alt+A, or
// Alt+X and Enter) goes on to the next. At the end the focus is on "Accept all played", so
// Enter accepts every segment heard. Whether a segment may be accepted stays the server's
// "heard" rule: the play-through only plays.
let playingThrough = false;

// "Listen to the whole segment first" stands until that segment is heard or decided.
let listenBanner = null;  // the segment id the refusal was about
function dropListenBanner(segment) {
  if (listenBanner !== segment.id) return;
  listenBanner = null;
  banner("info");
}

// A changed part of the diff, its spaces marked (spaces.js).
const changed = (op, part) => h(op === "insert" ? "ins" : "del", {},
  ...spaceRuns(part).map(([space, text]) => (space ? h("span", { class: "space", title: "space" }, text) : text)));

// A correction typed but not yet accepted survives a reload as a local draft.
const draftKey = (id) => `wb-review-draft:${id}`;
const dropDraft = (id) => localStorage.removeItem(draftKey(id));

async function load(focusIndex = null) {
  const data = await api("POST", `/review/${taskId}`);
  page.task = data.task;
  page.segments = data.segments;
  page.editable = page.task.reviewing;
  build();
  const first = focusIndex ?? Math.max(0, page.segments.findIndex((s) => !decided(s)));
  if (page.segments.length) select(Math.min(first, page.segments.length - 1), { play: false });
}

function build() {
  const t = page.task;
  document.getElementById("title").textContent = t.clip_name;
  document.getElementById("meta").textContent =
    `${t.language} · ${t.project} · ${tr("by {name}", { name: t.transcriber || "?" })} · ${stateName(t.state)}`;
  for (const id of ["accept-all", "finish"]) document.getElementById(id).disabled = !page.editable;
  if (!page.editable) banner("info", tr("This task is {state}: nothing to decide here.", { state: stateName(t.state) }));
  page.rows.clear();
  page.current = -1;
  document.getElementById("segments").replaceChildren(...page.segments.map(buildRow));
  for (const s of page.segments) updateRow(s);
  for (const row of page.rows.values()) fit(row.text);
  totals();
}

function buildRow(segment, index) {
  const text = h("textarea", {
    class: "seg-text", rows: 1, lang: page.task.language, spellcheck: "false",
    "aria-label": tr("Sentence {n}", { n: segment.position }), readonly: !page.editable,
  });
  text.value = segment.text;
  oneLine(text);
  text.addEventListener("focus", () => select(index, { play: true, focus: false }));
  const draft = page.editable && !decided(segment) ? localStorage.getItem(draftKey(segment.id)) : null;
  if (draft !== null && clean(draft) !== segment.text) text.value = draft;
  text.addEventListener("input", () => {
    fit(text);
    localStorage.setItem(draftKey(segment.id), text.value);
    updateRow(segmentById(segment.id));
  });
  const { meta, wave, play, tools } = rowParts(segment, player, (autoplay) => select(index, { play: autoplay }));
  const acceptButton = h("button", { class: "btn small ok accept", type: "button", onmousedown: keepFocus,
    onclick: () => { select(index, { play: false }); acceptCurrent(); } }, tr("accept"));
  const returnButton = h("button", { class: "btn small bad return", type: "button",
    onclick: () => { select(index, { play: false }); askComment(); } }, tr("return…"));
  const badge = h("span", { class: "badge" });
  const notes = h("div", { class: "seg-notes" });
  const li = h("li", { class: "seg", "data-id": segment.id },
    meta, wave, text, h("div", { class: "seg-side" }, badge, play, acceptButton, returnButton), tools, notes);
  page.rows.set(segment.id, { li, text, badge, notes, wave, tools, acceptButton, returnButton, comment: null });
  return li;
}

function badgeLabel(segment) {
  const heard = segment.heard_share > 0 ? tr("heard {percent} %", { percent: Math.floor(segment.heard_share * 100) })
    : tr("not heard");
  return decided(segment) ? statusLabels[segment.status]
    : segment.heard ? tr("heard") : segment.status === "no_speech" ? `${tr("no speech")} · ${heard}` : heard;
}

function updateRow(segment) {
  const row = page.rows.get(segment.id);
  const edited = clean(row.text.value) !== segment.text;
  const label = badgeLabel(segment);
  row.badge.className = `badge ${decided(segment) ? segment.status : segment.heard ? "played" : ""}`;
  row.badge.textContent = edited ? `${label} · ${tr("edited")}` : label;
  row.li.classList.toggle("decided", decided(segment));
  row.acceptButton.disabled = !page.editable || !segment.heard;
  row.acceptButton.title = segment.heard ? tr("Accept (Alt+A)") : tr("Listen to the whole segment first");
  row.returnButton.disabled = !page.editable;
  const notes = [];
  if (segment.diff && segment.diff.some(([op]) => op !== "equal")) {
    notes.push(h("div", { class: "note diff" }, tr("Changed since the last review:") + " ",
      ...segment.diff.map(([op, part]) => (op === "equal" ? part : changed(op, part)))));
  }
  if (segment.review_comment && segment.status === "returned") {
    notes.push(h("div", { class: "note comment" }, tr("Returned: {comment}", { comment: segment.review_comment })));
  }
  if (segment.no_speech_reason) {
    notes.push(h("div", { class: "note warning" }, tr("Marked no speech: {reason}", { reason: segment.no_speech_reason })));
  }
  for (const p of segment.problems || []) notes.push(h("div", { class: `note ${p.severity}` }, p.message));
  const untouched = untouchedNote(segment);
  if (untouched) notes.push(untouched);
  if (row.comment) notes.push(row.comment);
  // A listening report may redraw the row while a comment is typed: the box keeps the focus.
  const typing = row.comment && row.comment.contains(document.activeElement) ? document.activeElement : null;
  row.notes.replaceChildren(...notes);
  if (typing && document.activeElement !== typing) {
    typing.focus();
    typing.setSelectionRange(typing.value.length, typing.value.length);
  }
}

function totals() {
  const accepted = page.segments.filter((s) => s.status === "accepted").length;
  const returned = page.segments.filter((s) => s.status === "returned").length;
  const meter = document.getElementById("meter");
  meter.max = page.segments.length || 1;
  meter.value = accepted + returned;
  document.getElementById("count").textContent =
    tr("{accepted} accepted · {returned} returned · {undecided} undecided",
      { accepted, returned, undecided: page.segments.length - accepted - returned });
}

function select(index, { play = true, focus = true } = {}) {
  if (index < 0 || index >= page.segments.length) return;
  const row = page.rows.get(page.segments[index].id);
  if (index !== page.current) {
    plays.track(page.segments[index].id, () => makeCurrent(page, index, player, { play }));
    showTimeline();
  }
  if (focus && document.activeElement !== row.text && !row.li.contains(document.activeElement)) {
    row.text.focus({ preventScroll: true });
  }
}

const move = (delta) => select(page.current + delta, { play: true });

function replaceSegment(updated) {
  dropDraft(updated.id);
  const index = page.segments.findIndex((s) => s.id === updated.id);
  page.segments[index] = updated;
  const row = page.rows.get(updated.id);
  row.text.value = updated.text;
  fit(row.text);
  updateRow(updated);
  totals();
  if (decided(updated)) dropListenBanner(updated);
}

function nextUndecided() {
  const after = page.segments.findIndex((s, i) => i > page.current && !decided(s));
  if (after >= 0) select(after, { play: true });
  else if (playingThrough) {
    stopPlayingThrough(tr("Play-through reached the last undecided segment: Enter accepts every segment heard."));
    document.getElementById("accept-all").focus();
  }
  return after >= 0;
}

function playThrough() {
  if (playingThrough) { stopPlayingThrough(); return; }
  if (!page.segments.length) return;
  playingThrough = true;
  document.body.classList.add("playing-through");
  banner("info", tr("Playing through: Esc stops and plays on, Alt+A accepts, Alt+X returns, Alt+G ends it."));
  player.replay();
}

function stopPlayingThrough(message = tr("Play-through stopped.")) {
  playingThrough = false;
  document.body.classList.remove("playing-through");
  player.audio.pause();
  banner("info", message);
}

// A segment played to its end: on to the next, once what was played has been reported.
async function playedThrough() {
  if (!playingThrough) return;
  const at = page.current;
  await plays.report();
  if (playingThrough && page.current === at) nextUndecided();
}

async function acceptCurrent() {
  const segment = page.segments[page.current];
  if (!segment || !page.editable) return;
  const text = page.rows.get(segment.id).text.value;
  try {
    const updated = await api("POST", `/segments/${segment.id}/accept`,
      { text: clean(text) === segment.text ? null : text });
    replaceSegment(updated);
    nextUndecided();
  } catch (error) {
    banner("bad", failure(error));
    listenBanner = segment.heard ? null : segment.id;
  }
}

// The comment box under the current row; Enter in it (keymap.js) or its button sends it.
function askComment() {
  const segment = page.segments[page.current];
  if (!segment || !page.editable) return;
  const row = page.rows.get(segment.id);
  const input = h("input", { class: "comment-input", type: "text", lang: page.task.language,
    placeholder: tr("What should the transcriber fix? Enter sends.") });
  row.sendComment = () => returnSegment(segment, row, input);
  row.comment = h("div", { class: "note comment" }, input, " ",
    h("button", { class: "btn small bad", type: "button", onclick: row.sendComment }, tr("return")), " ",
    h("button", { class: "btn small", type: "button",
      onclick: () => { row.comment = null; updateRow(segment); row.text.focus(); } }, tr("cancel")));
  updateRow(segment);
  input.focus();
}

async function returnSegment(segment, row, input) {
  const comment = input.value.trim();
  if (!comment) { input.focus(); return; }
  try {
    const updated = await api("POST", `/segments/${segment.id}/return`, { comment });
    row.comment = null;
    replaceSegment(updated);
    nextUndecided();
  } catch (error) {
    banner("bad", failure(error));
  }
}

// Enter in a comment box sends that box's comment.
function sendComment(target) {
  const li = target && target.closest(".seg");
  const row = li && page.rows.get(Number(li.dataset.id));
  if (row && row.sendComment) row.sendComment();
}

async function acceptAllPlayed() {
  // Accepting in bulk takes the texts as they are: a correction must go with its own accept.
  const edited = page.segments.findIndex((s) => !decided(s) && clean(page.rows.get(s.id).text.value) !== s.text);
  if (edited >= 0) {
    banner("bad", tr("Segment {n} has a correction: accept it (Alt+A) or undo it first.", { n: page.segments[edited].position }));
    select(edited, { play: false });
    return;
  }
  try {
    await plays.report();
    const { accepted } = await api("POST", `/tasks/${taskId}/accept-all-played`);
    await load(page.current);
    banner("info", tr("{n} played segment(s) accepted.", { n: accepted }));
  } catch (error) {
    banner("bad", failure(error));
  }
}

async function finish() {
  try {
    const { task } = await api("POST", `/tasks/${taskId}/finish`);
    const at = page.current;
    page.task = task;
    page.editable = false;
    build();
    select(at, { play: false });
    banner("ok", task.state === "complete" ? tr("Review finished: the task is complete.")
      : tr("Review finished: the task went back to the transcriber with your comments."));
    tellQueue();
  } catch (error) {
    banner("bad", failure(error));
  }
}

followPlayer(page, player, (type) => {
  plays.follow(type);
  if (type === "ended") playedThrough();
});
setInterval(() => { if (!player.audio.paused) plays.report(); }, 4000);
window.addEventListener("pagehide", () => plays.leave());

const listeningKeys = playerKeyActions(player);
installHotkeys(REVIEWER_KEYS, {
  ...listeningKeys,
  playThrough: () => playThrough(),
  next: () => move(1),
  previous: () => move(-1),
  accept: () => acceptCurrent(),
  askComment: () => askComment(),
  sendComment: (_, event) => sendComment(event.target),
}, () => ({}), document.getElementById("keys"));

document.getElementById("accept-all").addEventListener("click", acceptAllPlayed);
document.getElementById("finish").addEventListener("click", finish);

// Time on task: active spans go to the server, which bounds them (activity.js).
trackActivity({ player, send: (spans, options) => api("POST", `/tasks/${taskId}/activity`, { spans }, options) });

load().then(async () => {
  timeline = await installTimeline(document.getElementById("timeline"), taskId, {
    pick: (index) => select(index, { play: true }),
    drag: () => {},
  });
  showTimeline();
}).catch((error) => banner("bad", error.message || tr("Could not load the task.")));
