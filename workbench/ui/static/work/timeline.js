// The whole-clip timeline's arithmetic, pure (tests/js/timeline.test.mjs): where a nudge
// takes a boundary, what the regions are, and the one-at-a-time queue of boundary moves.
// Whether a move is allowed is the server's to say (workflow/timeline.py), never this file's.

// One nudge, in seconds (the server keeps boundaries to the millisecond).
export const NUDGE_SECONDS = 0.05;

const ms = (seconds) => Math.round(seconds * 1000) / 1000;

// Where ``edge`` ("start" or "end") of ``segment`` goes on a nudge in ``direction`` (-1 or +1).
export function nudgeTarget(segment, edge, direction, step = NUDGE_SECONDS) {
  return ms(segment[edge] + Math.sign(direction) * step);
}

// The timeline's regions: every segment, the current one marked, only the current one
// resizable and only when the page may edit it (the server's ``editable``).
export function regionsOf(segments, current, { editable = false } = {}) {
  return segments.map((segment, index) => ({
    id: String(segment.id),
    index,
    start: segment.start,
    end: segment.end,
    current: index === current,
    resize: editable && index === current && Boolean(segment.editable),
  }));
}

// The edge a drag changed and where to, or null when it changed nothing (wavesurfer's
// regions report floats: compared to the millisecond).
export function draggedEdge(segment, start, end) {
  if (ms(start) !== ms(segment.start)) return { edge: "start", to: ms(start) };
  if (ms(end) !== ms(segment.end)) return { edge: "end", to: ms(end) };
  return null;
}

// Where to scroll a timeline showing ``visible`` seconds so ``segment`` is in its middle.
export function scrollTimeFor(segment, visible, duration) {
  const middle = (segment.start + segment.end) / 2;
  return Math.max(0, Math.min(Math.max(0, duration - visible), middle - visible / 2));
}

// Boundary moves go one after another: each is built from the segment as the previous one
// left it (its version and bounds), so quick key presses never race each other.
export class MoveQueue {
  constructor() { this.tail = Promise.resolve(); }

  // ``move()`` runs after every move queued before it; its result or error comes back.
  push(move) {
    const run = this.tail.then(move);
    this.tail = run.catch(() => {});
    return run;
  }
}
