import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { afterLast, canMergeWithNext, textsAtCaret } from "../../workbench/ui/static/work/edits.js";

describe("a split at the caret", () => {
  it("keeps the text before the caret and moves the text after it", () => {
    assert.deepEqual(textsAtCaret("첫 문장. 둘째 문장.", 6), ["첫 문장. ", "둘째 문장."]);
  });
  it("at either end moves all or none of the text", () => {
    assert.deepEqual(textsAtCaret("안녕하세요", 0), ["", "안녕하세요"]);
    assert.deepEqual(textsAtCaret("안녕하세요", 5), ["안녕하세요", ""]);
  });
  it("with a caret out of range or unknown keeps everything on the first half", () => {
    assert.deepEqual(textsAtCaret("abc", 99), ["abc", ""]);
    assert.deepEqual(textsAtCaret("abc", -3), ["", "abc"]);
    assert.deepEqual(textsAtCaret("abc", undefined), ["abc", ""]);
    assert.deepEqual(textsAtCaret("abc", 1.5), ["abc", ""]);
  });
});

describe("merge with next", () => {
  const rows = (...statuses) => statuses.map((status, i) => ({ status, position: i + 1 }));
  it("is offered between two segments that are not accepted", () => {
    assert.equal(canMergeWithNext(rows("saved", "todo"), 0), true);
  });
  it("is not offered when the next segment is accepted, nor on an accepted one, nor on the last", () => {
    assert.equal(canMergeWithNext(rows("saved", "accepted"), 0), false);
    assert.equal(canMergeWithNext(rows("accepted", "saved"), 0), false);
    assert.equal(canMergeWithNext(rows("saved", "saved"), 1), false);
    assert.equal(canMergeWithNext(rows("saved"), -1), false);
  });
});

describe("Enter on the last row", () => {
  it("says to submit once every segment is done", () => {
    const said = afterLast([{ status: "saved", position: 1 }, { status: "no_speech", position: 2 }]);
    assert.equal(said.index, -1);
    assert.match(said.message, /all 2 are done.*Submit for review/);
  });
  it("points at the first segment still to do", () => {
    const said = afterLast([{ status: "saved", position: 1 }, { status: "returned", position: 2 },
      { status: "todo", position: 3 }]);
    assert.equal(said.index, 1);
    assert.match(said.message, /2 still to do, the first is #2/);
  });
});
