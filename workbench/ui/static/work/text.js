// Text helpers both task pages share. Pure: nothing here touches the DOM.

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
  todo: "to do", saved: "saved", no_speech: "no speech",
  returned: "returned", accepted: "accepted",
};

// A task state ("in_progress") as a header says it ("in progress").
export const stateName = (state) => state.replace("_", " ");
