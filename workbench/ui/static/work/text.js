// Text helpers both task pages share. Pure: nothing here touches the DOM.
import { tr } from "./i18n.js";

// The server stores a sentence NFC-normalised on one line without outer spaces
// (workflow.transcribing.clean_text); comparing in that form avoids pointless saves.
export const clean = (text) => text.normalize("NFC").split(/\s+/).filter(Boolean).join(" ");

// Seconds as m:ss.s, the way the rows show where a segment starts.
export function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

// A segment's status as the badges say it.
export const statusLabels = {
  todo: tr("to do"), saved: tr("saved"), no_speech: tr("no speech"),
  returned: tr("returned"), accepted: tr("accepted"),
};

// A task state ("in_progress") as a header says it ("in progress").
const STATE_NAMES = {
  open: tr("open"), in_progress: tr("in progress"), submitted: tr("submitted"), in_review: tr("in review"),
  returned: tr("returned"), complete: tr("complete"),
};
export const stateName = (state) => STATE_NAMES[state] ?? state.replace("_", " ");
