// Machine drafts on the task pages: the transcriber sees the engine's words with the
// uncertain ones marked while the box still holds the draft, and one key (Alt+C) clears
// it for someone who would rather type; the reviewer sees when a text is an untouched draft.
import { h } from "./dom.js";
import { markedWords, showsDraft } from "./draft_words.js";

export const CLEAR_DRAFT_KEY = "Alt+C";

// The note under a transcriber's row while it shows the draft, or null.
export function draftNote(segment, text, threshold) {
  if (!showsDraft(segment, text)) return null;
  const words = markedWords(segment.draft, threshold).flatMap(([word, uncertain], i) => [
    i ? " " : "", uncertain ? h("mark", { class: "uncertain", title: "The engine is unsure of this word" }, word) : word]);
  return h("div", { class: "note machine-draft", title: segment.draft.engine },
    h("span", { class: "draft-label" }, `Machine draft — check every word; ${CLEAR_DRAFT_KEY} clears it: `),
    h("span", { class: "draft-words" }, ...words));
}

// The reviewer's note on a text the transcriber left exactly as the engine wrote it.
export function untouchedNote(segment) {
  if (!segment.draft || !segment.draft.untouched) return null;
  return h("div", { class: "note untouched-draft", title: segment.draft.engine },
    "Untouched machine draft: the transcriber did not change the engine's text.");
}
