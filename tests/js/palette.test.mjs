import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { insertEntry } from "../../workbench/ui/static/work/palette.js";

const tag = { text: "b/", caret: 2 };
const noise = { text: "[noise]", caret: 7 };
const dual = { text: "()/()", caret: 1 };

describe("inserting a palette entry", () => {
  it("puts a tag in as a word of its own, the caret after it ready for the next word", () => {
    assert.deepEqual(insertEntry("", 0, 0, tag), { value: "b/ ", caret: 3 });
    assert.deepEqual(insertEntry("나는 갈래", 2, 2, tag), { value: "나는 b/ 갈래", caret: 6 });
    assert.deepEqual(insertEntry("나는 갈래", 3, 3, tag), { value: "나는 b/ 갈래", caret: 6 });
    assert.deepEqual(insertEntry("나는", 2, 2, noise), { value: "나는 [noise] ", caret: 11 });
  });
  it("replaces the selection", () => {
    assert.deepEqual(insertEntry("하하 좋아", 0, 2, { text: "l/", caret: 2 }), { value: "l/ 좋아", caret: 3 });
  });
  it("puts the caret in the first bracket of the dual notation template", () => {
    assert.deepEqual(insertEntry("", 0, 0, dual), { value: "()/()", caret: 1 });
    assert.deepEqual(insertEntry("타고 가요", 0, 0, dual), { value: "()/() 타고 가요", caret: 1 });
    assert.deepEqual(insertEntry("기차는", 3, 3, dual), { value: "기차는 ()/()", caret: 5 });
  });
});
