import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { draggedEdge, MoveQueue, nudgeTarget, regionsOf, scrollTimeFor } from "../../workbench/ui/static/work/timeline.js";

describe("a nudge", () => {
  const segment = { start: 2.5, end: 5.0 };
  it("moves a boundary by 50 ms either way, kept to the millisecond", () => {
    assert.equal(nudgeTarget(segment, "start", -1), 2.45);
    assert.equal(nudgeTarget(segment, "end", 1), 5.05);
    assert.equal(nudgeTarget({ start: 0.1, end: 0.3 }, "end", 1), 0.35);  // not 0.35000000000000003
  });
  it("takes only the direction's sign", () => {
    assert.equal(nudgeTarget(segment, "start", -7), 2.45);
  });
});

describe("the timeline's regions", () => {
  const segments = [{ id: 1, start: 0, end: 2, editable: true }, { id: 2, start: 2.5, end: 5, editable: false },
    { id: 3, start: 6, end: 9, editable: true }];
  it("are every segment, the current one marked", () => {
    const regions = regionsOf(segments, 2, { editable: true });
    assert.deepEqual(regions.map((r) => [r.id, r.start, r.end, r.current]),
      [["1", 0, 2, false], ["2", 2.5, 5, false], ["3", 6, 9, true]]);
  });
  it("let only the current, editable segment be resized, and only on an editable page", () => {
    assert.deepEqual(regionsOf(segments, 2, { editable: true }).map((r) => r.resize), [false, false, true]);
    assert.deepEqual(regionsOf(segments, 1, { editable: true }).map((r) => r.resize), [false, false, false]);
    assert.deepEqual(regionsOf(segments, 0, { editable: false }).map((r) => r.resize), [false, false, false]);
  });
});

describe("a drag on the timeline", () => {
  const segment = { start: 2.5, end: 5.0 };
  it("names the edge that moved and where to, to the millisecond", () => {
    assert.deepEqual(draggedEdge(segment, 2.31234, 5.0), { edge: "start", to: 2.312 });
    assert.deepEqual(draggedEdge(segment, 2.5, 5.6666), { edge: "end", to: 5.667 });
  });
  it("that moved nothing sends nothing", () => {
    assert.equal(draggedEdge(segment, 2.5000001, 4.9999999), null);
  });
});

describe("scrolling the timeline", () => {
  it("centres the segment, never before 0 nor past the end", () => {
    assert.equal(scrollTimeFor({ start: 100, end: 104 }, 60, 600), 72);
    assert.equal(scrollTimeFor({ start: 1, end: 3 }, 60, 600), 0);
    assert.equal(scrollTimeFor({ start: 595, end: 599 }, 60, 600), 540);
    assert.equal(scrollTimeFor({ start: 5, end: 9 }, 60, 30), 0);
  });
});

describe("boundary moves", () => {
  it("run one after another, in the order pressed, a refusal not stopping the next", async () => {
    const queue = new MoveQueue();
    const order = [];
    const slow = (name, ms, fail = false) => () => new Promise((resolve, reject) => setTimeout(() => {
      order.push(name);
      if (fail) reject(new Error(name)); else resolve(name);
    }, ms));
    const first = queue.push(slow("first", 30));
    const second = queue.push(slow("second", 1, true));
    const third = queue.push(slow("third", 1));
    assert.equal(await first, "first");
    await assert.rejects(second, /second/);
    assert.equal(await third, "third");
    assert.deepEqual(order, ["first", "second", "third"]);
  });
});
