// The transcriber's saving (workbench/ui/static/work/saves.js) against a stand-in server:
// every answer moves a segment's save through the table, and the header follows.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

// The little of a browser that api.js and banner.js touch: fetch, and the banner element.
globalThis.Node = class {};
globalThis.document = {
  getElementById: () => ({ className: "", replaceChildren() {} }),
  createElement: () => ({ setAttribute() {}, addEventListener() {}, append() {} }),
};

const { Saves } = await import("../../workbench/ui/static/work/saves.js");
const { summary } = await import("../../workbench/ui/static/work/save_state.js");
const { isSignedOut } = await import("../../workbench/ui/static/work/banner.js");

class Storage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

const answer = (status, body) => ({ status, ok: status < 400, json: async () => body });
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

let server;  // (request body) -> response, or throws for "no connection"
let sent;
let world;

function newWorld(text = "") {
  const segment = { id: 1, text, version: 1 };
  const page = { segments: [segment], rows: new Map([[1, { text: { value: text } }]]), composing: null };
  const drafts = { written: [], dropped: [], write(s, t) { this.written.push(t); }, drop(id, saved) { this.dropped.push(saved); } };
  const accepted = [];
  const saves = new Saves({
    page, drafts, changed: () => {},
    accept: (updated) => { accepted.push(updated); page.segments[0] = updated; },
  });
  return { page, drafts, accepted, saves, type: (value) => { page.rows.get(1).text.value = value; } };
}

beforeEach(() => {
  sent = [];
  server = (body) => answer(200, { id: 1, text: body.text.trim(), version: body.base_version + 1 });
  globalThis.fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    sent.push(body);
    return server(body);
  };
  world = newWorld();
});

const stateOf = () => world.saves.of(1).state;

describe("saving a sentence", () => {
  it("goes pending on an edit, saving on the way, idle once the server has it", async () => {
    world.type("안녕");
    world.saves.schedule(1, 10_000);
    assert.equal(stateOf(), "pending");
    assert.equal(summary(world.saves.states()).text, "saving…");
    const saving = world.saves.saveNow(1);
    assert.equal(stateOf(), "saving");
    await saving;
    assert.equal(stateOf(), "idle");
    assert.deepEqual(sent, [{ text: "안녕", base_version: 1 }]);
    assert.deepEqual(world.drafts.dropped, ["안녕"]);
    assert.equal(summary(world.saves.states()).text, "all saved");
  });

  it("sends nothing when the text is what the server has", async () => {
    world.type("  ");
    world.saves.schedule(1, 10_000);
    await world.saves.saveNow(1);
    assert.equal(stateOf(), "idle");
    assert.deepEqual(sent, []);
  });

  it("sends nothing while an input method composes", async () => {
    world.page.composing = 1;
    world.type("ㅎ");
    world.saves.schedule(1, 10_000);
    await world.saves.saveNow(1);
    assert.equal(stateOf(), "pending");
    assert.deepEqual(sent, []);
  });

  it("sends what was typed during a save right after it", async () => {
    world.type("one");
    world.saves.schedule(1, 10_000);
    const first = world.saves.saveNow(1);
    world.type("one two");
    world.saves.schedule(1, 10_000);
    assert.equal(stateOf(), "saving");
    await first;
    assert.equal(stateOf(), "pending");
    assert.deepEqual(world.drafts.written, ["one two"]);
    await settle();
    assert.equal(stateOf(), "idle");
    assert.deepEqual(sent.map((b) => b.text), ["one", "one two"]);
  });
});

describe("when the server refuses", () => {
  it("a stale save with other text waits for the user, and edits send nothing meanwhile", async () => {
    server = () => answer(409, { detail: "stale", current: { id: 1, text: "theirs", version: 2 } });
    world.type("mine");
    world.saves.schedule(1, 10_000);
    await world.saves.saveNow(1);
    assert.equal(stateOf(), "conflict");
    assert.deepEqual(summary(world.saves.states()), { text: "1 conflict to resolve", bad: true });
    world.type("mine too");
    world.saves.schedule(1, 0);
    await settle();
    assert.equal(sent.length, 1);
    assert.equal(world.saves.unsettled(), 1);
    assert.deepEqual(world.saves.resolve(1), { id: 1, text: "theirs", version: 2 });
    assert.equal(stateOf(), "idle");
    assert.equal(world.saves.resolve(1), null, "a second choice has nothing to resolve");
  });

  it("a stale save of the very same text is simply taken", async () => {
    server = () => answer(409, { detail: "stale", current: { id: 1, text: "same", version: 2 } });
    world.type("same");
    world.saves.schedule(1, 10_000);
    await world.saves.saveNow(1);
    assert.equal(stateOf(), "idle");
    assert.deepEqual(world.accepted.map((s) => s.version), [2]);
  });

  it("a refusal shows the server's message and keeps nothing pending", async () => {
    server = () => answer(422, { detail: "Too long." });
    world.type("x");
    world.saves.schedule(1, 10_000);
    await world.saves.saveNow(1);
    assert.equal(stateOf(), "idle");
    assert.equal(world.saves.of(1).error, "Too long.");
  });
});

describe("kept in the browser and sent again", () => {
  it("offline: kept, said in the header, sent when retried", async () => {
    server = () => { throw new TypeError("Failed to fetch"); };
    world.type("연결");
    world.saves.schedule(1, 10_000);
    await world.saves.saveNow(1);
    assert.equal(stateOf(), "offline");
    assert.deepEqual(summary(world.saves.states()), { text: "offline: 1 kept on this device", bad: true });
    assert.equal(world.saves.unsettled(), 1);
    server = (body) => answer(200, { id: 1, text: body.text, version: 2 });
    world.saves.retryUnsent();
    await settle();
    assert.equal(stateOf(), "idle");
  });

  it("signed out: kept and never called saved until it is", async () => {
    server = () => answer(401, { detail: "Sign in again." });
    world.type("로그아웃");
    world.saves.schedule(1, 10_000);
    await world.saves.saveNow(1);
    assert.equal(stateOf(), "signed_out");
    assert.equal(isSignedOut(), true);
    assert.deepEqual(summary(world.saves.states(), { signedOut: isSignedOut() }),
      { text: "signed out: 1 not saved, kept on this device", bad: true });
    server = (body) => answer(200, { id: 1, text: body.text, version: 2 });
    await world.saves.flush();
    assert.equal(isSignedOut(), false);
    assert.equal(stateOf(), "idle");
    assert.equal(summary(world.saves.states()).text, "all saved");
  });
});
