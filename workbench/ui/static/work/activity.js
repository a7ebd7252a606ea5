// Time on task: how long the worker actively works on this task, as the page sees it, not
// how long the tab is open. Typing, clicking, moving between segments and audio playing are
// activity; a gap of more than IDLE_CUTOFF_MS between two activities is idle time and is not
// counted (the span closes at the last activity). Spans are in the page's own monotonic
// milliseconds (performance.now()); the server only measures their union and credits no
// more than the wall clock allows (workflow/time_on_task.py), so a page cannot inflate it.
export const IDLE_CUTOFF_MS = 60_000;
export const REPORT_EVERY_MS = 30_000;
// What a report may hold (the server refuses more): spans, and the page keeps no more.
export const MAX_SPANS = 200;

export class ActivityClock {
  constructor({ idleCutoff = IDLE_CUTOFF_MS } = {}) {
    this.idleCutoff = idleCutoff;
    this.closed = [];    // [start, end] spans not yet reported
    this.open = null;    // the span the latest activity belongs to
  }

  // An activity at ``now``: extends the open span when the previous activity was at most
  // the idle cut-off ago, else closes it and opens a new one. A clock that went back starts
  // a new span rather than a negative one.
  touch(now) {
    if (!Number.isFinite(now)) return;
    if (this.open && now >= this.open[1] && now - this.open[1] <= this.idleCutoff) {
      this.open[1] = now;
      return;
    }
    if (this.open && this.open[1] > this.open[0]) this.closed.push(this.open);
    if (this.closed.length > MAX_SPANS) this.closed.splice(0, this.closed.length - MAX_SPANS);
    this.open = [now, now];
  }

  // The spans to report now: the closed ones and the open one up to its last activity. The
  // open span goes on from there, so nothing is reported twice.
  take() {
    const spans = this.closed;
    this.closed = [];
    if (this.open && this.open[1] > this.open[0]) {
      spans.push([this.open[0], this.open[1]]);
      this.open = [this.open[1], this.open[1]];
    }
    return spans;
  }

  // Spans a report could not deliver (no connection) go back, to be sent with the next.
  putBack(spans) {
    this.closed = [...spans, ...this.closed].slice(-MAX_SPANS);
  }
}

/** Milliseconds covered by ``spans`` (assumed not to overlap, as an ActivityClock makes them). */
export const activeMs = (spans) => spans.reduce((sum, [start, end]) => sum + (end - start), 0);

// The page's input events that count as working on it.
const INPUT_EVENTS = ["keydown", "input", "pointerdown", "focusin", "wheel"];
// The player's: while audio plays it ticks (timeupdate) a few times a second.
const PLAYER_EVENTS = new Set(["play", "timeupdate", "seeked"]);

/**
 * Watch ``doc`` and ``player`` for activity and ``send(spans, {keepalive})`` it every
 * REPORT_EVERY_MS and when the page is hidden or left. ``send`` returns a promise; a report
 * that fails for want of a connection (a TypeError, see api.js) is kept for the next one.
 */
export function trackActivity({ player, send, now = () => performance.now(), doc = document, win = window }) {
  const clock = new ActivityClock();
  const touch = () => clock.touch(now());
  for (const type of INPUT_EVENTS) doc.addEventListener(type, touch, { capture: true, passive: true });
  player.on((type) => { if (PLAYER_EVENTS.has(type)) touch(); });
  const flush = (keepalive = false) => {
    const spans = clock.take();
    if (!spans.length) return Promise.resolve();
    return Promise.resolve(send(spans, { keepalive })).catch((error) => {
      if (error instanceof TypeError) clock.putBack(spans);
    });
  };
  const timer = win.setInterval(() => flush(), REPORT_EVERY_MS);
  doc.addEventListener("visibilitychange", () => { if (doc.visibilityState === "hidden") flush(true); });
  win.addEventListener("pagehide", () => flush(true));
  return { clock, flush, stop: () => win.clearInterval(timer) };
}
