// The transcriber's task view. Text is saved as it is typed and kept as a per-segment draft
// in localStorage until the server has it (saves.js), so a reload, a closed tab, a dropped
// connection or an ended session loses nothing. The header says "all saved" only when the
// server has it all (save_state.js). The task and segment being worked on are remembered per
// user, so a reload (of this frame or of the whole app) reopens them.
// The textarea's value is only ever set when a row is built, when a palette entry goes in
// (a key or click, never while an IME composes) or when the user picks a side of a
// conflict, never while typing: that is what keeps an IME's syllable intact.
import { trackActivity } from "./activity.js";
import { api, ApiError, failure } from "./api.js";
import { banner, isSignedOut, onSessionChange } from "./banner.js";
import { fit, h, keepFocus, oneLine } from "./dom.js";
import { Drafts, Places } from "./drafts.js";
import { showsDraft, TypedCounter } from "./draft_words.js";
import { afterLast, canMergeWithNext, textsAtCaret } from "./edits.js";
import { insertEntry } from "./palette.js";
import { tellQueue } from "./frame.js";
import { installHotkeys } from "./hotkeys.js";
import { draftNote } from "./machine_draft.js";
import { TRANSCRIBER_KEYS } from "./keymap.js";
import { installKeys } from "./keys_panel.js";
import { installListening } from "./listen_panel.js";
import { tr } from "./i18n.js";
import { Player, playerKeyActions } from "./player.js";
import { ReasonChoice } from "./reasons.js";
import { followPlayer, makeCurrent, rowParts } from "./rows.js";
import { badge, summary } from "./save_state.js";
import { Saves } from "./saves.js";
import { clean, stateName, statusLabels } from "./text.js";
import { MoveQueue, nudgeTarget } from "./timeline.js";
import { installTimeline } from "./timeline_view.js";
import { installWrongLanguage } from "./wrong_language.js";

const taskId = Number(document.body.dataset.task);
const RETRY_MS = 5000;

const player = new Player();
const drafts = new Drafts(localStorage);
const places = new Places(localStorage);
const typed = new TypedCounter();
const page = {
  task: null,
  segments: [],
  rows: new Map(),        // segment id -> {li, text, badge, notes, wave, tools}
  current: -1,
  editable: false,        // the task may be edited (its state)
  checked: false,         // the user asked for the problems (Check or Submit)
  composing: null,        // the segment id an input method is composing in
  reasons: [],            // why a segment may be marked no speech, in hotkey order
  draftThreshold: 0,      // machine-draft words below this probability are marked
  palette: [],            // the language's tags and notation templates, in hotkey order
  flags: {},              // segment id -> guideline flags of its untouched draft
  hints: {},              // segment id -> its split or merge suggestion
};
const segmentById = (id) => page.segments.find((s) => s.id === id);
const saves = new Saves({
  page, drafts, accept, typed,
  changed: (id) => { const segment = segmentById(id); if (segment) updateRow(segment); progress(); },
});
const reasons = new ReasonChoice((reason) => markNoSpeech(reason));
const tags = new ReasonChoice((entry) => insertTag(entry), { prompt: tr("Insert:"), label: tr("Tags and notation"),
  show: (entry) => `${entry.text} ${entry.label}` });
const typing = installListening(player, document.getElementById("keys"));
const moves = new MoveQueue();
// The whole-clip timeline, once wavesurfer.js and the clip's peaks have loaded (or never).
let timeline = null;
const showTimeline = () => { if (timeline) timeline.show(page.segments, page.current, page.editable); };

// ---- loading and building -------------------------------------------------------------

async function load(focusIndex = null) {
  const data = await api("GET", `/tasks/${taskId}`);
  page.task = data.task;
  page.segments = data.segments;
  page.reasons = data.no_speech_reasons;
  page.palette = data.palette || [];
  if (!page.keysInstalled && page.task.transcriber) {  // the user's own keys, once per page
    page.keysInstalled = true;
    installKeys(TRANSCRIBER_KEYS, useKeys, document.getElementById("keys"), page.task.transcriber,
      (message) => banner("bad", message));
  }
  page.draftThreshold = data.draft_threshold;
  page.flags = data.draft_flags || {};
  page.hints = data.sentence_hints || {};
  page.editable = page.task.editable;  // the server says; the page never re-derives the rules
  saves.forget((id) => segmentById(id) !== undefined);  // merged away
  build();
  restoreDrafts();
  const firstOf = (status) => page.segments.findIndex((s) => s.status === status);
  const place = { task: taskId, round: page.task.review_round };
  const remembered = places.segmentIndex(page.task.transcriber, place, page.segments);
  const first = focusIndex ?? (remembered >= 0 ? remembered
    : Math.max(0, firstOf("returned") >= 0 ? firstOf("returned") : firstOf("todo")));
  if (page.segments.length) select(Math.min(first, page.segments.length - 1), { play: false });
}

function build() {
  const t = page.task;
  document.getElementById("title").textContent = t.clip_name;
  document.getElementById("meta").textContent =
    `${t.language} · ${t.project} · ${tr("{minutes} min clip", { minutes: (t.clip_duration / 60).toFixed(1) })} · ${stateName(t.state)}`;
  document.getElementById("submit").disabled = !page.editable;
  document.getElementById("check").disabled = !page.editable;
  document.getElementById("wrong-language").disabled = !page.editable || t.state !== "in_progress";
  if (!page.editable) banner("info", tr("This task is {state}: it is read-only.", { state: stateName(t.state) }));
  page.rows.clear();
  page.current = -1;
  document.getElementById("segments").replaceChildren(...page.segments.map(buildRow));
  for (const s of page.segments) updateRow(s);
  for (const row of page.rows.values()) fit(row.text);
  progress();
}

function sentenceBox(segment, index, editable) {
  const text = h("textarea", {
    class: "seg-text", rows: 1, lang: page.task.language, spellcheck: "false",
    "aria-label": tr("Sentence {n}", { n: segment.position }), readonly: !editable,
    placeholder: tr("Type the one sentence you hear"),
  });
  text.value = segment.text;
  oneLine(text);
  text.addEventListener("focus", () => select(index, { play: true, focus: false }));
  text.addEventListener("input", (event) => {
    typed.input(segment.id, event.inputType, event.data, event.isComposing);
    fit(text);
    typing.typed();
    drafts.write(segmentById(segment.id), text.value);
    if (!event.isComposing) saves.schedule(segment.id);
  });
  text.addEventListener("compositionstart", () => { page.composing = segment.id; });
  text.addEventListener("compositionend", (event) => {
    typed.composed(segment.id, event.data);
    page.composing = null;
    drafts.write(segmentById(segment.id), text.value);
    saves.schedule(segment.id);
  });
  return text;
}

function buildRow(segment, index) {
  const editable = page.editable && segment.editable;  // accepted text is final
  const text = sentenceBox(segment, index, editable);
  const { meta, wave, play, tools } = rowParts(segment, player, (autoplay) => select(index, { play: autoplay }));
  const badgeEl = h("span", { class: "badge" });
  const notes = h("div", { class: "seg-notes" });
  const editing = (label, action, enabled = editable) => h("button", {
    class: "btn small", type: "button", disabled: !enabled, onmousedown: keepFocus, onclick: action }, label);
  tools.append(
    editing(tr("no speech"), () => { select(index, { play: false, focus: false }); openReasons(); }),
    editing(tr("tags…"), () => { select(index, { play: false, focus: false }); openTags(); }),
    editing(tr("split here"), () => splitHere()),
    editing(tr("merge with next"), () => mergeNext(), page.editable && canMergeWithNext(page.segments, index)));
  const li = h("li", { class: "seg", "data-id": segment.id },
    meta, wave, text, h("div", { class: "seg-side" }, badgeEl, play), tools, notes);
  page.rows.set(segment.id, { li, text, badge: badgeEl, notes, wave, tools });
  return li;
}

// Status, notes and highlight of one row; never its text.
function updateRow(segment) {
  const row = page.rows.get(segment.id);
  const save = saves.of(segment.id);
  row.li.classList.toggle("no-speech", segment.status === "no_speech");
  const pending = badge(save.state);
  row.badge.className = `badge ${pending ? "pending" : segment.status}`;
  row.badge.textContent = pending || statusLabels[segment.status] || segment.status;
  const notes = [];
  if (segment.review_comment && segment.status === "returned") {
    notes.push(h("div", { class: "note comment" }, tr("Reviewer: {comment}", { comment: segment.review_comment })));
  }
  if (segment.status === "no_speech") {
    notes.push(h("div", { class: "note warning" }, (segment.no_speech_reason ? tr("No speech: {reason}.", { reason: segment.no_speech_reason }) : tr("No speech.")) + " " + tr("Type text to undo.")));
  }
  for (const p of segment.problems || []) {
    // An untouched segment is obviously empty: say so only once the user checks.
    if (p.rule === "empty-text" && segment.status === "todo" && !page.checked) continue;
    notes.push(h("div", { class: `note ${p.severity}` }, p.message));
  }
  if (save.error) notes.push(h("div", { class: "note error" }, save.error));
  const draft = draftNote(segment, row.text.value, page.draftThreshold, page.flags[segment.id],
    page.editable ? page.hints[segment.id] : null);
  if (draft) notes.unshift(draft);
  if (save.conflict) notes.push(conflictNote(segment, save.conflict));
  row.notes.replaceChildren(...notes);
}

function conflictNote(segment, theirs) {
  const row = page.rows.get(segment.id);
  return h("div", { class: "note conflict", role: "alert" },
    tr("This sentence was changed elsewhere (another tab or device) since you started typing."),
    h("div", {}, tr("Saved there:")), h("q", { class: "theirs" }, theirs.text || tr("(empty)")),
    h("div", {}, tr("Yours:")), h("q", { class: "mine" }, row.text.value || tr("(empty)")),
    h("button", { class: "btn small primary", type: "button", onclick: () => resolveConflict(segment.id, "mine") }, tr("Keep mine")),
    " ",
    h("button", { class: "btn small", type: "button", onclick: () => resolveConflict(segment.id, "theirs") }, tr("Use the saved text")));
}

// The header's count: live segments answered (the server's own "done") of all live ones, the
// same count as the queue's label (TaskSummary.progress), kept current as the page changes.
function progress() {
  const done = page.segments.filter((s) => s.done).length;
  const returned = page.segments.filter((s) => s.status === "returned").length;
  const meter = document.getElementById("meter");
  meter.max = page.segments.length || 1;
  meter.value = done;
  document.getElementById("count").textContent =
    tr("{done} / {total} done", { done, total: page.segments.length })
    + (returned ? " · " + tr("{n} returned", { n: returned }) : "");
  const { text, bad } = summary(saves.states(), { signedOut: isSignedOut() });
  const box = document.getElementById("save-state");
  box.classList.toggle("bad", bad);
  box.textContent = text;
}

// ---- moving --------------------------------------------------------------------------

function select(index, { play = true, focus = true } = {}) {
  if (index < 0 || index >= page.segments.length) return;
  const row = page.rows.get(page.segments[index].id);
  if (index !== page.current) {
    reasons.close();  // the choice belongs to the row it was opened on
    tags.close();
    page.afterLast = null;
    makeCurrent(page, index, player, { play });
    rememberPlace(page.segments[index]);
    showTimeline();
  }
  if (focus && document.activeElement !== row.text) {
    row.text.focus({ preventScroll: true });
    row.text.setSelectionRange(row.text.value.length, row.text.value.length);
  }
}

function rememberPlace(segment) {
  const user = page.task && page.task.transcriber;
  if (user && page.editable) places.remember(user, { task: taskId, segment: segment.id, round: page.task.review_round });
}

function move(delta) {
  if (delta > 0 && page.current === page.segments.length - 1) { lastRowDone(); return; }
  select(page.current + delta, { play: true });
}

// Enter on the last row says what comes next (once what was just typed is saved, so it
// counts); pressed again, it goes to the first row left.
async function lastRowDone() {
  await saves.flush();
  const next = afterLast(page.segments);
  if (page.afterLast === next.message && next.index >= 0) {
    page.afterLast = null;
    select(next.index, { play: true });
    return;
  }
  page.afterLast = next.message;
  banner(page.editable ? next.kind : "info", page.editable ? next.message : tr("That was the last segment."));
}

// One key empties a box that still holds the machine draft (the draft stays in the history).
function clearDraft() {
  const segment = page.segments[page.current];
  if (!page.editable || !segment || !showsDraft(segment, page.rows.get(segment.id).text.value)) return;
  setText(segment.id, "");
  drafts.write(segment, "");
  saves.schedule(segment.id, 0);
  page.rows.get(segment.id).text.focus();
}

// ---- the server's copy and the drafts -------------------------------------------------

// Takes the server's copy of a segment without touching what is in its textarea.
function accept(updated) {
  const index = page.segments.findIndex((s) => s.id === updated.id);
  page.segments[index] = updated;
  updateRow(updated);
  progress();
}

function setText(id, text) {
  const row = page.rows.get(id);
  row.text.value = text;
  fit(row.text);
}

function resolveConflict(id, side) {
  const theirs = saves.resolve(id);
  if (theirs === null) return;
  accept(theirs);  // the row's status and the page's progress follow the saved text
  const row = page.rows.get(id);
  if (side === "theirs") {
    setText(id, theirs.text);
    drafts.drop(id);
  } else {
    drafts.write(theirs, row.text.value);
    saves.saveNow(id);
  }
  row.text.focus();
}

// A draft left by a reload, a closed tab or a lost connection goes back to the server if
// nothing changed there meanwhile; otherwise the user chooses.
function restoreDrafts() {
  for (const segment of page.segments) {
    const draft = drafts.read(segment.id);
    if (!draft) continue;
    if (clean(draft.text) === segment.text || !page.editable) { drafts.drop(segment.id); continue; }
    setText(segment.id, draft.text);
    if (draft.base === segment.version) {
      saves.schedule(segment.id, 0);
    } else {
      saves.conflictWith(segment.id, segment);
      updateRow(segment);
    }
  }
  progress();
}

// ---- segment actions ------------------------------------------------------------------

// Runs one segment action on the current segment; whether it went through. After a
// reload the segment ``then`` rows on becomes the current one.
async function act(request, { reload = false, then = 0 } = {}) {
  if (!page.editable) return false;
  const index = page.current;
  try {
    await saves.flush();
    const result = await request(page.segments[index]);
    if (reload) {
      await load(index + then);
    } else {
      accept(result);
      setText(result.id, result.text);
      drafts.drop(result.id);
    }
    return true;
  } catch (error) {
    banner("bad", failure(error));
    return false;
  }
}

const markNoSpeech = (reason) => act((s) => api("POST", `/segments/${s.id}/no-speech`,
  { reason, base_version: s.version }));

// The text after the caret goes to the new second half, where the caret goes too.
async function splitHere() {
  const done = await act(async (s) => {
    const box = page.rows.get(s.id).text;
    const halves = await api("POST", `/segments/${s.id}/split`, { at: s.start + player.audio.currentTime,
      texts: textsAtCaret(box.value, box.selectionStart), base_version: s.version });
    drafts.drop(s.id);  // the box's whole text: the server now holds it in two halves
    return halves;
  }, { reload: true, then: 1 });
  if (!done) return;
  const row = page.rows.get(page.segments[page.current].id);
  if (document.activeElement === row.text) row.text.setSelectionRange(0, 0);
}

// ---- boundaries (the timeline) ----------------------------------------------------------

// Moves an edge of ``segment`` to ``to`` seconds; moves go one at a time (timeline.js), each
// from the segment as the one before left it. The row's times, waveform and audio follow.
function moveBoundary(segmentId, edge, to) {
  return moves.push(async () => {
    const segment = segmentById(segmentId);
    if (!page.editable || !segment) return;
    await saves.flush();
    const target = typeof to === "function" ? to(segmentById(segmentId)) : to;
    try {
      moved(await api("POST", `/segments/${segmentId}/boundary`, { edge, to: target, base_version: segmentById(segmentId).version }));
    } catch (error) {
      banner("bad", failure(error));
      showTimeline();  // a refused drag snaps back
    }
  });
}

function moved(updated) {
  const index = page.segments.findIndex((s) => s.id === updated.id);
  accept(updated);
  const row = page.rows.get(updated.id);
  const { meta, wave } = rowParts(updated, player, (autoplay) => select(index, { play: autoplay }));
  row.li.querySelector(".seg-meta").replaceWith(meta);
  row.wave.replaceWith(wave);
  row.wave = wave;
  if (index === page.current) player.load(updated, { autoplay: false });  // the new span's audio
  banner("info", tr("Segment {n}: {start}–{end} s.", { n: updated.position, start: updated.start.toFixed(2), end: updated.end.toFixed(2) }));
  showTimeline();
}

const nudge = (edge, direction) => {
  const segment = page.segments[page.current];
  if (segment) moveBoundary(segment.id, edge, (now) => nudgeTarget(now, edge, direction));
};

function mergeNext() {
  if (!page.editable || page.current < 0) return;
  if (!canMergeWithNext(page.segments, page.current)) {
    const next = page.segments[page.current + 1];
    banner("bad", next ? tr("Segment {n} is accepted: it cannot be merged.", { n: next.position })
      : tr("This is the last segment: there is nothing to merge with."));
    return;
  }
  act((s) => api("POST", `/segments/${s.id}/merge`), { reload: true });
}

// Alt+H: the split or merge the draft suggests, worked out again and applied by the server
// through the ordinary split or merge (so their guards hold); only while the box shows the draft.
function applyHint() {
  const segment = page.segments[page.current];
  if (!page.editable || !segment || !page.hints[segment.id]
      || !showsDraft(segment, page.rows.get(segment.id).text.value)) return;
  act((s) => api("POST", `/segments/${s.id}/hint`, { base_version: s.version }), { reload: true });
}

function openReasons() {
  if (!page.editable || page.current < 0) return;
  tags.close();
  reasons.open(page.rows.get(page.segments[page.current].id), page.reasons);
}

function openTags() {
  if (!page.editable || page.current < 0 || !page.palette.length) return;
  reasons.close();
  tags.open(page.rows.get(page.segments[page.current].id), page.palette.slice(0, 9));
}

// Puts a palette entry in at the caret of the current sentence box, as if typed.
function insertTag(entry) {
  const segment = page.segments[page.current];
  const box = segment && page.rows.get(segment.id).text;
  if (!box || box.readOnly) return;
  const { value, caret } = insertEntry(box.value, box.selectionStart, box.selectionEnd, entry);
  box.value = value;
  box.focus();
  box.setSelectionRange(caret, caret);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

function showProblems(problems) {
  page.checked = true;
  const bySegment = new Map();
  for (const p of problems) {
    if (!bySegment.has(p.segment_id)) bySegment.set(p.segment_id, []);
    bySegment.get(p.segment_id).push(p);
  }
  for (const segment of page.segments) {
    segment.problems = bySegment.get(segment.id) || [];
    updateRow(segment);
  }
  return page.segments.findIndex((s) => s.problems.some((p) => p.severity === "error"));
}

async function check() {
  try {
    await saves.flush();
    const { problems } = await api("GET", `/tasks/${taskId}/problems`);
    showProblems(problems);
    const errors = problems.filter((p) => p.severity === "error").length;
    banner(errors ? "bad" : "info", problems.length
      ? tr("{errors} error(s) and {warnings} warning(s), shown on their segments.", { errors, warnings: problems.length - errors })
      : tr("No problems found."));
  } catch (error) {
    banner("bad", failure(error));
  }
}

async function submit() {
  await saves.flush();
  const unsettled = saves.unsettled();
  if (unsettled) {
    banner("bad", tr("{n} sentence(s) are not saved yet (offline, signed out or in conflict): settle them first.", { n: unsettled }));
    return;
  }
  try {
    const result = await api("POST", `/tasks/${taskId}/submit`);
    await load(page.current);  // read-only now, with the warnings that remain
    banner("ok", result.problems.length ? tr("Submitted for review with {n} warning(s).", { n: result.problems.length })
      : tr("Submitted for review."));
    tellQueue();
  } catch (error) {
    if (error instanceof ApiError && error.body.problems) {
      const first = showProblems(error.body.problems);
      const errors = error.body.problems.filter((p) => p.severity === "error").length;
      banner("bad", tr("Not submitted: {n} error(s) must be fixed first; they are marked on their segments.", { n: errors }));
      if (first >= 0) select(first, { play: false });
    } else {
      banner("bad", failure(error));
    }
  }
}

// ---- wiring ---------------------------------------------------------------------------

followPlayer(page, player);
onSessionChange(progress);

const listeningKeys = playerKeyActions(player);
const useKeys = installHotkeys(TRANSCRIBER_KEYS, {
  ...listeningKeys,
  toggle: () => { typing.forget(); listeningKeys.toggle(); },
  leadIn: () => { typing.forget(); player.playWithLeadIn(page.segments[page.current - 1] || null); },
  loop: () => player.setLoop(!player.looping),
  next: () => move(1),
  previous: () => move(-1),
  openReasons,
  chooseReason: (index) => reasons.pick(index),
  closeReasons: () => reasons.close(),
  openTags,
  chooseTag: (index) => tags.pick(index),
  closeTags: () => tags.close(),
  split: () => splitHere(),
  merge: () => mergeNext(),
  clearDraft,
  applyHint,
  nudgeStart: (direction) => nudge("start", direction),
  nudgeEnd: (direction) => nudge("end", direction),
}, () => ({ reasons: reasons.isOpen ? reasons.reasons.length : undefined,
  tags: tags.isOpen ? tags.reasons.length : undefined }), document.getElementById("keys"));

const retryUnsent = () => saves.retryUnsent();
window.addEventListener("online", retryUnsent);
window.addEventListener("focus", retryUnsent);
document.addEventListener("visibilitychange", () => { if (!document.hidden) retryUnsent(); });
setInterval(retryUnsent, RETRY_MS);
window.addEventListener("pagehide", () => saves.sendPending());

document.getElementById("check").addEventListener("click", check);
document.getElementById("submit").addEventListener("click", submit);
installWrongLanguage(document.getElementById("wrong-language"), taskId, {
  language: () => page.task.language,
  before: () => saves.flush(),
  // The task is no longer this transcriber's to see: the page empties.
  after: () => {
    player.audio.pause();
    for (const id of ["submit", "check"]) document.getElementById(id).disabled = true;
    document.getElementById("segments").replaceChildren();
  },
});

// Time on task: active spans go to the server, which bounds them (activity.js).
trackActivity({ player, send: (spans, options) => api("POST", `/tasks/${taskId}/activity`, { spans }, options) });

load().then(async () => {
  timeline = await installTimeline(document.getElementById("timeline"), taskId, {
    pick: (index) => select(index, { play: true }),
    drag: (segment, edge, to) => moveBoundary(segment.id, edge, to),
  });
  showTimeline();
}).catch((error) => banner("bad", error.message || tr("Could not load the task.")));
