// Time on task as the page measures it (workbench/ui/static/work/activity.js).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  ActivityClock, activeMs, IDLE_CUTOFF_MS, MAX_SPANS, trackActivity,
} from "../../workbench/ui/static/work/activity.js";

const clockAfter = (times) => {
  const clock = new ActivityClock();
  for (const t of times) clock.touch(t);
  return clock;
};

describe("the activity clock", () => {
  it("counts the time between activities closer than the idle cut-off", () => {
    assert.deepEqual(clockAfter([0, 10_000, 40_000]).take(), [[0, 40_000]]);
  });

  it("does not count a gap longer than the idle cut-off", () => {
    const spans = clockAfter([0, 30_000, 30_000 + IDLE_CUTOFF_MS + 1, 100_000]).take();
    assert.deepEqual(spans, [[0, 30_000], [90_001, 100_000]]);
    assert.equal(activeMs(spans), 39_999);
  });

  it("counts a gap of exactly the cut-off", () => {
    assert.equal(activeMs(clockAfter([0, IDLE_CUTOFF_MS]).take()), IDLE_CUTOFF_MS);
  });

  it("counts nothing for one lone activity or none", () => {
    assert.deepEqual(clockAfter([5_000]).take(), []);
    assert.deepEqual(new ActivityClock().take(), []);
  });

  it("reports each stretch once: the open span goes on from where the last report ended", () => {
    const clock = clockAfter([0, 20_000]);
    assert.deepEqual(clock.take(), [[0, 20_000]]);
    assert.deepEqual(clock.take(), []);
    clock.touch(50_000);
    assert.deepEqual(clock.take(), [[20_000, 50_000]]);
  });

  it("starts a new span when the clock goes back, and ignores junk times", () => {
    const clock = clockAfter([10_000, 20_000, 5_000, NaN, Infinity, 6_000]);
    assert.deepEqual(clock.take(), [[10_000, 20_000], [5_000, 6_000]]);
  });

  it("keeps at most MAX_SPANS undelivered spans", () => {
    const clock = new ActivityClock();
    for (let i = 0; i < MAX_SPANS + 50; i += 1) {
      clock.touch(i * 1_000_000);
      clock.touch(i * 1_000_000 + 1_000);
    }
    assert.ok(clock.take().length <= MAX_SPANS + 1);
  });

  it("puts back spans a report could not deliver, before newer ones", () => {
    const clock = clockAfter([0, 1_000]);
    const lost = clock.take();
    clock.touch(2_000);
    clock.putBack(lost);
    assert.deepEqual(clock.take(), [[0, 1_000], [1_000, 2_000]]);
  });
});

// A document, window and player with just the event plumbing trackActivity uses.
function fakes() {
  const handlers = {};
  const target = () => ({
    addEventListener: (type, fn) => { (handlers[type] ||= []).push(fn); },
  });
  const doc = { ...target(), visibilityState: "visible" };
  const win = { ...target(), setInterval: () => 1, clearInterval: () => {} };
  const playerListeners = [];
  const player = { on: (fn) => playerListeners.push(fn) };
  const fire = (type) => { for (const fn of handlers[type] || []) fn(); };
  const tick = (type) => { for (const fn of playerListeners) fn(type, player); };
  return { doc, win, player, fire, tick };
}

describe("tracking a page", () => {
  it("counts typing and playing, and sends the spans when the page is hidden", async () => {
    const { doc, win, player, fire, tick } = fakes();
    let t = 0;
    const sent = [];
    trackActivity({ player, doc, win, now: () => t, send: async (spans, options) => { sent.push([spans, options]); } });
    fire("keydown");
    t = 20_000; tick("timeupdate");     // audio playing
    t = 45_000; tick("timeupdate");
    t = 200_000; tick("pause");         // a pause is not activity
    doc.visibilityState = "hidden";
    fire("visibilitychange");
    await Promise.resolve();
    assert.deepEqual(sent, [[[[0, 45_000]], { keepalive: true }]]);
  });

  it("keeps spans for the next report when there is no connection, and drops refused ones", async () => {
    const { doc, win, player, fire } = fakes();
    let t = 0;
    let answer = () => Promise.reject(new TypeError("offline"));
    const tracker = trackActivity({ player, doc, win, now: () => t, send: () => answer() });
    fire("keydown"); t = 10_000; fire("input");
    await tracker.flush();
    const sent = [];
    answer = () => { sent.push(true); return Promise.reject(new Error("409")); };
    t = 15_000; fire("keydown");
    await tracker.flush();
    assert.equal(sent.length, 1);
    assert.deepEqual(tracker.clock.take(), []);
  });
});
