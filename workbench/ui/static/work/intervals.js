// What the reviewer's player really played, as intervals [start, end] in seconds of the
// segment. Pure: the times come in as arguments; plays.js feeds it from the <audio>.

// Overlapping intervals as one, in time order.
export function union(spans) {
  const merged = [];
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

// The intervals as the server takes them: inside the segment, not empty, at most ``limit``
// (the latest).
export const withinSegment = (spans, duration, limit = 100) =>
  spans.map(([a, b]) => [Math.max(0, a), Math.min(b, duration)]).filter(([a, b]) => b > a).slice(-limit);

// An interval opens when playback runs and closes at a seek, a pause, the end or a new
// source, so a click near the end plays (and counts) only the rest.
export class PlayTracker {
  constructor() {
    this.spans = [];
    this.from = null;  // where the open interval began, null when none is open
    this.at = 0;       // the furthest point the open interval has reached
  }

  // ``running``: the audio plays (not paused, not seeking) the segment being tracked.
  open(time, running) {
    if (this.from === null && running) this.from = this.at = time;
  }

  // Playback moving on extends the open interval (a seek has closed it already); going
  // back closes it; then a new one opens if the audio runs.
  extend(time, running) {
    if (this.from !== null && time < this.at) this.close();
    else if (this.from !== null) this.at = time;
    this.open(time, running);
  }

  close(end = this.at) {
    if (this.from !== null && end > this.from) this.spans.push([this.from, end]);
    this.from = null;
  }

  // The intervals so far (the open one up to where it is), handed over once.
  take() {
    const spans = this.spans;
    if (this.from !== null && this.at > this.from) spans.push([this.from, this.at]);
    if (this.from !== null) this.from = this.at;
    this.spans = [];
    return spans;
  }
}
