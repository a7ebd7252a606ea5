// The reviewer's played intervals (workbench/ui/static/work/intervals.js).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { PlayTracker, union, withinSegment } from "../../workbench/ui/static/work/intervals.js";

describe("union", () => {
  it("joins overlapping and touching intervals, in time order", () => {
    assert.deepEqual(union([[2, 3], [0, 1], [0.5, 1.5], [3, 4]]), [[0, 1.5], [2, 4]]);
  });

  it("keeps apart intervals that do not meet", () => {
    assert.deepEqual(union([[1, 2], [3, 4]]), [[1, 2], [3, 4]]);
  });

  it("takes one inside another as the outer one, and nothing as nothing", () => {
    assert.deepEqual(union([[0, 5], [1, 2]]), [[0, 5]]);
    assert.deepEqual(union([]), []);
  });

  it("leaves its input as it was", () => {
    const spans = [[2, 3], [0, 2.5]];
    union(spans);
    assert.deepEqual(spans, [[2, 3], [0, 2.5]]);
  });
});

describe("withinSegment", () => {
  it("clips to the segment and drops what is left empty", () => {
    assert.deepEqual(withinSegment([[-1, 1], [2, 9], [5, 6], [3, 3]], 4), [[0, 1], [2, 4]]);
  });

  it("keeps the latest intervals when there are too many", () => {
    const spans = Array.from({ length: 5 }, (_, i) => [i, i + 0.5]);
    assert.deepEqual(withinSegment(spans, 10, 2), [[3, 3.5], [4, 4.5]]);
  });
});

describe("PlayTracker", () => {
  it("counts playback from where it started to where it reached", () => {
    const t = new PlayTracker();
    t.open(0.5, true);
    t.extend(1.0, true);
    t.extend(1.5, true);
    t.close();
    assert.deepEqual(t.take(), [[0.5, 1.5]]);
  });

  it("opens nothing while the audio does not run", () => {
    const t = new PlayTracker();
    t.open(0, false);
    t.extend(2, false);
    t.close();
    assert.deepEqual(t.take(), []);
  });

  it("closes an interval when playback goes back, and opens the next there", () => {
    const t = new PlayTracker();
    t.open(0, true);
    t.extend(2, true);
    t.extend(1, true);
    t.extend(1.5, true);
    t.close();
    assert.deepEqual(t.take(), [[0, 2], [1, 1.5]]);
  });

  it("closes at the end it is given (the audio's duration when it ends)", () => {
    const t = new PlayTracker();
    t.open(2.7, true);
    t.extend(2.9, true);
    t.close(3.0);
    assert.deepEqual(t.take(), [[2.7, 3.0]]);
  });

  it("hands over the open interval so far once, and goes on from there", () => {
    const t = new PlayTracker();
    t.open(0, true);
    t.extend(1, true);
    assert.deepEqual(t.take(), [[0, 1]]);
    assert.deepEqual(t.take(), []);
    t.extend(2, true);
    assert.deepEqual(t.take(), [[1, 2]]);
  });

  it("counts no empty interval", () => {
    const t = new PlayTracker();
    t.open(1, true);
    t.close();
    assert.deepEqual(t.take(), []);
  });
});
