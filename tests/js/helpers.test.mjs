// Text helpers, URLs and what the pages keep in the browser (text.js, urls.js, drafts.js).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Drafts, Places, PLACE_KEY } from "../../workbench/ui/static/work/drafts.js";
import { clean, clock, stateName } from "../../workbench/ui/static/work/text.js";
import { mediaUrl, spectrogramUrl } from "../../workbench/ui/static/work/urls.js";

// localStorage's interface over a Map.
class Storage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

describe("clean", () => {
  it("puts a sentence on one line without outer or double spaces", () => {
    assert.equal(clean("  one\n two\t\tthree  "), "one two three");
  });

  it("normalises to NFC, so a decomposed Hangul syllable equals the composed one", () => {
    assert.equal(clean("\u1100\u1161"), "\uac00");
  });
});

describe("clock and state names", () => {
  it("shows seconds as m:ss.s", () => {
    assert.equal(clock(0), "0:00.0");
    assert.equal(clock(7.25), "0:07.3");
    assert.equal(clock(125.5), "2:05.5");
  });

  it("says a state with a space", () => {
    assert.equal(stateName("in_progress"), "in progress");
  });
});

describe("media URLs", () => {
  const segment = { id: 7, media_version: "3-0-6000" };
  it("carry the segment's media version, so new audio gets a new URL", () => {
    assert.equal(mediaUrl(segment, "clean"), "/media/segment/7.wav?variant=clean&v=3-0-6000");
    assert.equal(mediaUrl(segment, "original"), "/media/segment/7.wav?variant=original&v=3-0-6000");
    assert.equal(spectrogramUrl(segment), "/media/spectrogram/7.png?v=3-0-6000");
  });
});

describe("Drafts", () => {
  it("keep the text with the version it was typed on", () => {
    const drafts = new Drafts(new Storage());
    drafts.write({ id: 3, version: 5 }, "안녕");
    assert.deepEqual(drafts.read(3), { text: "안녕", base: 5 });
    assert.equal(drafts.read(4), null);
  });

  it("drop only the draft that was saved, never another tab's different text", () => {
    const drafts = new Drafts(new Storage());
    drafts.write({ id: 3, version: 5 }, "other tab's text");
    drafts.drop(3, "what this tab saved");
    assert.equal(drafts.read(3).text, "other tab's text");
    drafts.drop(3, "other tab's text");
    assert.equal(drafts.read(3), null);
  });

  it("drop any draft when no saved text is given", () => {
    const drafts = new Drafts(new Storage());
    drafts.write({ id: 3, version: 5 }, "x");
    drafts.drop(3);
    assert.equal(drafts.read(3), null);
  });

  it("read junk as no draft", () => {
    const storage = new Storage();
    storage.setItem("wb-draft:3", "{not json");
    assert.equal(new Drafts(storage).read(3), null);
  });
});

describe("Places", () => {
  const segments = [{ id: 10 }, { id: 11 }, { id: 12 }];

  it("remember each user's place apart", () => {
    const storage = new Storage();
    const places = new Places(storage);
    places.remember("minji", { task: 1, segment: 12, round: 0 });
    places.remember("hyun", { task: 2, segment: 10, round: 0 });
    assert.equal(places.segmentIndex("minji", { task: 1, round: 0 }, segments), 2);
    assert.deepEqual(Object.keys(JSON.parse(storage.getItem(PLACE_KEY))).sort(), ["hyun", "minji"]);
  });

  it("forget a place in another task, another review round or a segment merged away", () => {
    const places = new Places(new Storage());
    places.remember("minji", { task: 1, segment: 12, round: 0 });
    assert.equal(places.segmentIndex("minji", { task: 2, round: 0 }, segments), -1);
    assert.equal(places.segmentIndex("minji", { task: 1, round: 1 }, segments), -1);
    assert.equal(places.segmentIndex("minji", { task: 1, round: 0 }, segments.slice(0, 2)), -1);
    assert.equal(places.segmentIndex("hyun", { task: 1, round: 0 }, segments), -1);
  });

  it("survive a full storage and junk in it", () => {
    const storage = new Storage();
    storage.setItem(PLACE_KEY, "junk{");
    const places = new Places(storage);
    assert.deepEqual(places.all(), {});
    storage.setItem = () => { throw new Error("QuotaExceededError"); };
    places.remember("minji", { task: 1, segment: 10, round: 0 });
    assert.deepEqual(places.all(), {});
  });
});
