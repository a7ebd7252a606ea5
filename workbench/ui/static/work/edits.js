// What the transcriber's segment edits send and offer, and what the page says after the
// last row. Pure: nothing here touches the DOM.
import { tr } from "./i18n.js";

// A split divides the sentence box's text at the caret: the text before it stays on the
// first half, the text after it goes to the new second half (workflow split_segment).
export function textsAtCaret(value, caret) {
  const at = Number.isInteger(caret) ? Math.min(Math.max(caret, 0), value.length) : value.length;
  return [value.slice(0, at), value.slice(at)];
}

// "merge with next" is offered only where the server would take it: an editable segment
// followed by one that is not accepted (accepted text is final).
export const canMergeWithNext = (segments, index) => index >= 0 && index < segments.length - 1
  && segments[index].status !== "accepted" && segments[index + 1].status !== "accepted";

const DONE = ["saved", "no_speech", "accepted"];

// What Enter on the last row says: where the work left is, or that it is time to submit.
export function afterLast(segments) {
  const left = segments.filter((s) => !DONE.includes(s.status));
  if (!left.length) {
    return { kind: "ok", index: -1,
      message: tr("That was the last segment and all {n} are done: press Check, then Submit for review.",
        { n: segments.length }) };
  }
  const first = segments.indexOf(left[0]);
  return { kind: "info", index: first,
    message: tr("That was the last segment; {n} still to do, the first is #{first}: press Enter again to go there, or Check to see every problem.",
      { n: left.length, first: left[0].position }) };
}
