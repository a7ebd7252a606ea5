// Machine drafts, the pure part (node tests it as it is): which words of a draft the page
// marks as uncertain, and how many characters a transcriber typed into each segment.

// The draft's words as [text, uncertain] pairs: uncertain when the engine gave the word a
// probability below ``threshold``. A word without a probability (an engine that does not
// say) is never marked.
export function markedWords(draft, threshold) {
  return (draft.words || []).map((w) => [w.text,
    typeof w.probability === "number" && w.probability < threshold]);
}

// The draft is on show while the box still holds exactly its text.
export const showsDraft = (segment, text) => Boolean(segment.draft) && text === segment.draft.text;

// Characters typed per segment since its last save: what the keyboard (or an input method,
// once it commits) put in, not pastes, deletions or the draft itself. ``take(id)`` hands the
// count to a save and starts again from 0; a failed save gives it back (``giveBack``).
export class TypedCounter {
  constructor() { this.counts = new Map(); }

  // An ``input`` event's ``inputType`` and ``data`` (composition text counts at its end).
  input(id, inputType, data, composing) {
    if (composing || inputType !== "insertText" || !data) return;
    this.add(id, [...data].length);
  }

  // What an input method committed (``compositionend``'s data).
  composed(id, data) { if (data) this.add(id, [...data].length); }

  add(id, n) { this.counts.set(id, (this.counts.get(id) || 0) + n); }

  take(id) {
    const n = this.counts.get(id) || 0;
    this.counts.delete(id);
    return n;
  }

  giveBack(id, n) { if (n) this.add(id, n); }
}
