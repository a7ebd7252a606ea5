// The hotkeys of both task pages as tables, and the one function that decides what a key
// press does. Pure: a key press comes in as a plain description
//   {key, code, altKey, ctrlKey, metaKey, shiftKey, isComposing, keyCode, target}
// where ``target`` is "text" (a sentence box), "comment" (a reviewer's comment box) or
// "other"; hotkeys.js builds it from the DOM event and runs the actions that come out.
import { tr } from "./i18n.js";

// While an IME composes (Hangul, pinyin, kana) every key belongs to it. Some platforms
// report only keyCode 229 ("Process") for those keys.
export const composing = (key) => Boolean(key.isComposing) || key.keyCode === 229;

export const alt = (code) => (k) => Boolean(k.altKey) && !k.ctrlKey && !k.metaKey && k.code === code;
export const plain = (name, { shift = false } = {}) => (k) =>
  k.key === name && Boolean(k.shiftKey) === shift && !k.altKey && !k.ctrlKey && !k.metaKey;

const MODIFIERS = ["Shift", "Alt", "Control", "Meta"];

// A binding: ``keys`` and ``label`` make its line in the legend (none when ``legend`` is
// false); ``match`` says whether a key press is it; ``action`` names what it does, with
// ``arg(key)`` as the action's argument when it has one.
export const PLAYER_KEYS = Object.freeze([
  { keys: "Esc", label: tr("play / pause"), match: plain("Escape"), action: "toggle" },
  { keys: "Alt+R", label: tr("replay"), match: alt("KeyR"), action: "replay" },
  { keys: "Alt+B", label: tr("back 2 s"), match: alt("KeyB"), action: "back" },
  { keys: "Alt+, / Alt+.", label: tr("slower / faster"),
    match: (k) => alt("Comma")(k) || alt("Period")(k),
    action: "rate", arg: (k) => (k.code === "Comma" ? -0.25 : 0.25) },
  { keys: "Enter / Alt+↓", label: tr("next"),
    match: (k) => (plain("Enter")(k) && k.target === "text") || alt("ArrowDown")(k), action: "next" },
  { keys: "Shift+Enter / Alt+↑", label: tr("previous"),
    match: (k) => (plain("Enter", { shift: true })(k) && k.target === "text") || alt("ArrowUp")(k),
    action: "previous" },
]);

export const TRANSCRIBER_KEYS = Object.freeze([
  ...PLAYER_KEYS,
  // With a choice open, any key but a digit or Esc has closed it first: Alt+N opens it anew.
  { keys: "Alt+P", label: tr("play with 1 s before"), match: alt("KeyP"), action: "leadIn" },
  { keys: "Alt+L", label: tr("loop on / off"), match: alt("KeyL"), action: "loop" },
  { keys: "Alt+N", label: tr("no speech (then 1–4)"), match: alt("KeyN"), action: "openReasons" },
  { keys: "Alt+T", label: tr("tag or notation (then 1–9)"), match: alt("KeyT"), action: "openTags" },
  { keys: "Alt+S", label: tr("split at playhead and caret"), match: alt("KeyS"), action: "split" },
  { keys: "Alt+M", label: tr("merge with next"), match: alt("KeyM"), action: "merge" },
  { keys: "Alt+C", label: tr("clear the machine draft"), match: alt("KeyC"), action: "clearDraft" },
  { keys: "Alt+H", label: tr("apply the split or merge suggestion"), match: alt("KeyH"), action: "applyHint" },
  // Boundaries by 50 ms (timeline.js): the physical keys right of P and of L on any layout.
  { keys: "Alt+[ / Alt+]", label: tr("start −/+ 50 ms"),
    match: (k) => alt("BracketLeft")(k) || alt("BracketRight")(k),
    action: "nudgeStart", arg: (k) => (k.code === "BracketLeft" ? -1 : 1) },
  { keys: "Alt+; / Alt+'", label: tr("end −/+ 50 ms"),
    match: (k) => alt("Semicolon")(k) || alt("Quote")(k),
    action: "nudgeEnd", arg: (k) => (k.code === "Semicolon" ? -1 : 1) },
]);

export const REVIEWER_KEYS = Object.freeze([
  ...PLAYER_KEYS,
  { keys: "Alt+A", label: tr("accept"), match: alt("KeyA"), action: "accept" },
  { keys: "Alt+X", label: tr("return with comment"), match: alt("KeyX"), action: "askComment" },
  // Segment after segment (reviewer.js); Esc stops as always, Alt+A and Alt+X decide and go on.
  { keys: "Alt+G", label: tr("play through on / off"), match: alt("KeyG"), action: "playThrough" },
  // Enter, with or without a modifier, sends the comment being typed.
  { legend: false, match: (k) => k.key === "Enter" && k.target === "comment", action: "sendComment" },
]);

// What a key press does: the actions to run in order, as [name, argument] pairs, and
// whether the browser's own handling of the key is cancelled.
// ``context.reasons`` is the number of no-speech reasons on offer while that choice is
// open (undefined when closed): a digit picks one, Esc closes it (and does nothing else),
// any other key but a modifier closes it and then does what it always does.
// ``context.tags`` is the same for the tag palette's choice (chooseTag, closeTags).
const CHOICES = [["reasons", "chooseReason", "closeReasons"], ["tags", "chooseTag", "closeTags"]];

export function dispatch(keymap, key, context = {}) {
  if (composing(key)) return { actions: [], prevent: false };
  const actions = [];
  for (const [name, choose, close] of CHOICES) {
    if (context[name] === undefined) continue;
    const bare = !key.altKey && !key.ctrlKey && !key.metaKey;
    const digit = bare && /^[1-9]$/.test(key.key) ? Number(key.key) : 0;
    if (digit && digit <= context[name]) return { actions: [[choose, digit - 1]], prevent: true };
    if (key.key === "Escape") return { actions: [[close]], prevent: true };
    if (!MODIFIERS.includes(key.key)) actions.push([close]);
  }
  const binding = keymap.find((b) => b.match(key));
  if (!binding) return { actions, prevent: false };
  actions.push([binding.action, binding.arg ? binding.arg(key) : undefined]);
  return { actions, prevent: true };
}

// The legend's lines: [keys, label] for each binding shown.
export const legend = (keymap) => keymap.filter((b) => b.legend !== false).map((b) => [b.keys, b.label]);

// ---- keys reassigned by the user -------------------------------------------------------

// The Alt+letter bindings a user may move to another letter, by action.
export const REASSIGNABLE = Object.freeze(["replay", "back", "leadIn", "loop", "openReasons", "openTags",
  "split", "merge", "accept", "askComment", "playThrough"]);
const LETTER = /^Key[A-Z]$/;

// ``keymap`` with the user's ``overrides`` ({action: "KeyK"}) applied: only reassignable
// actions of this keymap, only to Alt+letter, and never onto a key another binding keeps
// (such an entry is left out). Returns {keymap, applied} where ``applied`` is what held.
export function rebind(keymap, overrides) {
  const wanted = overrides && typeof overrides === "object" ? overrides : {};
  const applied = {};
  for (const [action, code] of Object.entries(wanted)) {
    if (!REASSIGNABLE.includes(action) || typeof code !== "string" || !LETTER.test(code)) continue;
    if (!keymap.some((b) => b.action === action)) continue;
    applied[action] = code;
  }
  const letterOf = (b) => applied[b.action] || (REASSIGNABLE.includes(b.action) ? aliasOf(b) : null);
  // Two actions on one letter: both fall back to their own keys.
  const used = new Map();
  for (const b of keymap) {
    const code = letterOf(b);
    if (code) used.set(code, [...(used.get(code) || []), b.action]);
  }
  for (const [action, code] of Object.entries(applied)) if (used.get(code).length > 1) delete applied[action];
  return {
    applied,
    keymap: keymap.map((b) => (applied[b.action]
      ? { ...b, keys: `Alt+${applied[b.action].slice(3)}`, match: alt(applied[b.action]) } : b)),
  };
}

// The Alt+letter a reassignable binding has by default ("Alt+S" -> "KeyS").
function aliasOf(binding) {
  const m = /^Alt\+([A-Z])$/.exec(binding.keys || "");
  return m ? `Key${m[1]}` : null;
}
