// Guideline flags and sentence hints of a machine draft, the pure part (node tests it as it
// is). The server works both out (workflow/draft_guidance.py) for drafts still untouched;
// the page shows them while the box holds the draft, and Alt+H applies a hint.
import { tr } from "./i18n.js";

export const APPLY_HINT_KEY = "Alt+H";

// The flags of one segment as [index -> messages] for its words, and the segment-wide ones.
export function flagsByWord(flags) {
  const byWord = new Map();
  const whole = [];
  for (const flag of flags || []) {
    if (flag.index === null || flag.index === undefined) { whole.push(flag); continue; }
    if (!byWord.has(flag.index)) byWord.set(flag.index, []);
    byWord.get(flag.index).push(flag.message);
  }
  return { byWord, whole };
}

// What the page says of each distinct flag: "“3시에”: numbers/foreign words need ...".
export function flagLines(flags) {
  const seen = new Map();
  for (const flag of flags || []) {
    const key = `${flag.rule}\u0000${flag.message}`;
    if (!seen.has(key)) seen.set(key, { message: flag.message, words: [] });
    if (flag.word) seen.get(key).words.push(flag.word);
  }
  return [...seen.values()].map(({ message, words }) =>
    words.length ? `${words.map((w) => `“${w}”`).join(", ")}: ${message}` : message);
}

// The suggestion line of a hint, or null.
export function hintLine(hint) {
  if (!hint) return null;
  const what = hint.kind === "split" ? tr("split") : tr("merge");
  return tr("Suggestion ({what}): {message} — {key} applies it", { what, message: hint.message, key: APPLY_HINT_KEY });
}
