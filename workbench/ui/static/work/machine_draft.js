// Machine drafts on the task pages: the transcriber sees the engine's words with the
// uncertain ones marked while the box still holds the draft, the spots the guideline needs
// handled (draft_guidance.js) and a split or merge suggestion; one key (Alt+C) clears it for
// someone who would rather type; the reviewer sees when a text is an untouched draft.
import { h } from "./dom.js";
import { flagLines, flagsByWord, hintLine } from "./draft_guidance.js";
import { markedWords, showsDraft } from "./draft_words.js";
import { tr } from "./i18n.js";

export const CLEAR_DRAFT_KEY = "Alt+C";

function draftWord(word, uncertain, flagged) {
  if (flagged) return h("mark", { class: `guideline${uncertain ? " uncertain" : ""}`, title: flagged.join("; ") }, word);
  if (uncertain) return h("mark", { class: "uncertain", title: tr("The engine is unsure of this word") }, word);
  return word;
}

// The note under a transcriber's row while it shows the draft, or null. ``flags`` and
// ``hint`` are the segment's guideline flags and sentence hint (none when left out).
export function draftNote(segment, text, threshold, flags = [], hint = null) {
  if (!showsDraft(segment, text)) return null;
  const { byWord } = flagsByWord(flags);
  const words = markedWords(segment.draft, threshold).flatMap(([word, uncertain], i) => [
    i ? " " : "", draftWord(word, uncertain, byWord.get(i))]);
  const label = segment.draft.text
    ? tr("Machine draft — check every word; {key} clears it: ", { key: CLEAR_DRAFT_KEY })
    : tr("Machine draft: the engine wrote no words. ");
  const hinted = hintLine(hint);
  return h("div", { class: "note machine-draft", title: segment.draft.engine },
    h("span", { class: "draft-label" }, label),
    h("span", { class: "draft-words" }, ...words),
    ...flagLines(flags).map((line) => h("div", { class: "draft-flag" }, line)),
    ...(hinted ? [h("div", { class: `draft-hint ${hint.kind}` }, hinted)] : []));
}

// The reviewer's note on a text the transcriber left exactly as the engine wrote it.
export function untouchedNote(segment) {
  if (!segment.draft || !segment.draft.untouched) return null;
  return h("div", { class: "note untouched-draft", title: segment.draft.engine },
    tr("Untouched machine draft: the transcriber did not change the engine's text."));
}
