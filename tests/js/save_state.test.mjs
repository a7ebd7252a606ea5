// The transcriber's save-state table (workbench/ui/static/work/save_state.js), walked pair by pair.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { badge, EVENTS, next, STATES, summary, TRANSITIONS } from "../../workbench/ui/static/work/save_state.js";

// Every (state, event) pair and where it leads; null: not allowed, the event is ignored.
// Written out in full here, apart from the table, so a changed transition fails a test.
const EXPECTED = {
  idle: { edit: "pending", unchanged: "idle", send: "saving", conflict: "conflict" },
  pending: { edit: "pending", unchanged: "idle", send: "saving", conflict: "conflict" },
  offline: { edit: "pending", unchanged: "idle", send: "saving", conflict: "conflict" },
  signed_out: { edit: "pending", unchanged: "idle", send: "saving", conflict: "conflict" },
  saving: {
    edit: "saving", ack: "idle", ack_changed: "pending", same_elsewhere: "idle", conflict: "conflict",
    signed_out: "signed_out", refused: "idle", offline: "offline",
  },
  conflict: { resolve: "idle" },
};

describe("the save-state table", () => {
  for (const state of Object.keys(STATES)) {
    for (const event of EVENTS) {
      const expected = EXPECTED[state][event] ?? null;
      it(`${event} in ${state} ${expected ? `leads to ${expected}` : "is not allowed"}`, () => {
        assert.equal(next(state, event), expected);
      });
    }
  }

  it("has a row for every state and only states as targets", () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), Object.keys(STATES).sort());
    for (const row of Object.values(TRANSITIONS)) {
      for (const [event, target] of Object.entries(row)) {
        assert.ok(EVENTS.includes(event), event);
        assert.ok(target in STATES, target);
      }
    }
  });

  it("uses every event somewhere", () => {
    for (const event of EVENTS) {
      assert.ok(Object.values(TRANSITIONS).some((row) => event in row), event);
    }
  });

  it("reaches every state from idle, and idle again from every state", () => {
    const reach = (from) => {
      const seen = new Set([from]);
      const todo = [from];
      while (todo.length) for (const target of Object.values(TRANSITIONS[todo.pop()])) {
        if (!seen.has(target)) { seen.add(target); todo.push(target); }
      }
      return seen;
    };
    assert.deepEqual([...reach("idle")].sort(), Object.keys(STATES).sort());
    for (const state of Object.keys(STATES)) assert.ok(reach(state).has("idle"), state);
  });

  it("refuses a state or an event it does not know", () => {
    assert.throws(() => next("lost", "edit"), /unknown save state: lost/);
    assert.throws(() => next("idle", "typo"), /unknown save event: typo/);
  });

  it("leaves a conflict only by the user's choice", () => {
    for (const event of EVENTS) assert.equal(next("conflict", event), event === "resolve" ? "idle" : null, event);
  });

  it("lets nothing but the server's answers end a save on its way", () => {
    assert.equal(next("saving", "send"), null);
    assert.equal(next("saving", "unchanged"), null);
    assert.equal(next("saving", "resolve"), null);
  });
});

describe("what a row's badge says", () => {
  it("names every state but idle, which shows the segment's own status", () => {
    assert.deepEqual(Object.fromEntries(Object.keys(STATES).map((s) => [s, badge(s)])), {
      idle: null, pending: "unsaved", saving: "saving…", offline: "kept offline",
      signed_out: "not saved", conflict: "conflict",
    });
  });

  it("marks the states a submit must wait for, the ones retried and the ones flushed", () => {
    const where = (property) => Object.keys(STATES).filter((s) => STATES[s][property]).sort();
    assert.deepEqual(where("settled").sort(), ["idle", "pending", "saving"]);
    assert.deepEqual(where("retry"), ["offline", "signed_out"]);
    assert.deepEqual(where("flush"), ["offline", "pending", "signed_out"]);
  });
});

describe("the header's words", () => {
  const cases = [
    [[], {}, "all saved", false],
    [["idle", "idle"], {}, "all saved", false],
    [["idle", "pending"], {}, "saving…", false],
    [["saving"], {}, "saving…", false],
    [["offline", "pending", "offline"], {}, "offline: 2 kept on this device", true],
    [["conflict", "offline"], {}, "1 conflict to resolve", true],
    [["conflict", "conflict"], {}, "2 conflicts to resolve", true],
    [["signed_out", "conflict", "signed_out"], { signedOut: true }, "signed out: 2 not saved, kept on this device", true],
    [["idle"], { signedOut: true }, "signed out: 0 not saved, kept on this device", true],
    // Signed in again, before the retry has sent it: not saved yet.
    [["idle", "signed_out"], {}, "saving…", false],
  ];
  for (const [states, options, text, bad] of cases) {
    it(`say "${text}" for [${states}]${options.signedOut ? " when signed out" : ""}`, () => {
      assert.deepEqual(summary(states, options), { text, bad });
    });
  }

  it("never say all saved while anything is not", () => {
    for (const state of Object.keys(STATES)) {
      if (state === "idle") continue;
      assert.notEqual(summary(["idle", state]).text, "all saved", state);
    }
  });
});
