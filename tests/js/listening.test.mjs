import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_SETTINGS, leadInStart, nextRate, readSettings, resumeAt, TypingPause,
} from "../../workbench/ui/static/work/listening.js";

describe("the listening settings", () => {
  it("keep a rewind of 0 to 3 s and the pause-while-typing choice", () => {
    assert.deepEqual(readSettings('{"rewind": 2.5, "pauseWhileTyping": true}'), { rewind: 2.5, pauseWhileTyping: true });
    assert.deepEqual(readSettings('{"rewind": 0}'), { rewind: 0, pauseWhileTyping: false });
  });
  it("fall back to the defaults for anything else", () => {
    for (const raw of [null, "", "}{", "[]", "7", '{"rewind": 9}', '{"rewind": -1}', '{"rewind": "2"}',
      '{"pauseWhileTyping": "yes"}']) {
      const read = readSettings(raw);
      assert.equal(read.rewind, DEFAULT_SETTINGS.rewind, raw);
      assert.equal(read.pauseWhileTyping, false, raw);
    }
  });
});

describe("resuming and the lead-in", () => {
  it("a resume goes back by the rewind, never before the start", () => {
    assert.equal(resumeAt(5, 1.5), 3.5);
    assert.equal(resumeAt(0.4, 1), 0);
    assert.equal(resumeAt(2, 0), 2);
  });
  it("the lead-in is the previous segment's last second, or all of a shorter one", () => {
    assert.equal(leadInStart(3), 2);
    assert.equal(leadInStart(0.6), 0);
  });
});

describe("the speed pill", () => {
  it("steps to the next faster speed and from the fastest to the slowest", () => {
    assert.equal(nextRate(1), 1.25);
    assert.equal(nextRate(1.75), 2);
    assert.equal(nextRate(2), 0.5);
    assert.equal(nextRate(0.5), 0.75);
  });
});

// A player and timers the test drives by hand.
function rig({ enabled = true } = {}) {
  const log = [];
  const player = { on: true, playing() { return this.on; }, pause() { this.on = false; log.push("pause"); },
    resume() { this.on = true; log.push("resume"); } };
  const pending = new Map();
  let next = 1;
  const timers = { set: (fn, ms) => { pending.set(next, [fn, ms]); return next++; }, clear: (h) => pending.delete(h) };
  const run = () => { const all = [...pending.values()]; pending.clear(); for (const [fn] of all) fn(); };
  return { log, player, pending, run, typing: new TypingPause(player, timers, { enabled: () => enabled, delay: 1200 }) };
}

describe("pause while typing", () => {
  it("pauses on the first key and resumes once, after the typing stops", () => {
    const { log, pending, run, typing } = rig();
    typing.typed();
    typing.typed();
    typing.typed();
    assert.deepEqual(log, ["pause"]);
    assert.equal(pending.size, 1);  // one timer, restarted by every key
    assert.equal([...pending.values()][0][1], 1200);
    run();
    assert.deepEqual(log, ["pause", "resume"]);
  });
  it("does nothing when switched off or when the audio was not playing", () => {
    const off = rig({ enabled: false });
    off.typing.typed();
    assert.deepEqual(off.log, []);
    const quiet = rig();
    quiet.player.on = false;
    quiet.typing.typed();
    quiet.run();
    assert.deepEqual(quiet.log, []);
  });
  it("does not resume what the worker paused or played meanwhile", () => {
    const { log, run, typing } = rig();
    typing.typed();
    typing.forget();
    run();
    assert.deepEqual(log, ["pause"]);
  });
});
