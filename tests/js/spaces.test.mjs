import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { spaceRuns } from "../../workbench/ui/static/work/spaces.js";

describe("spaces in the round-two diff", () => {
  it("a space added or removed shows as a mark of its own", () => {
    assert.deepEqual(spaceRuns(" "), [[true, "·"]]);
    assert.deepEqual(spaceRuns("  "), [[true, "··"]]);
  });
  it("words keep their letters, with the spaces between them marked", () => {
    assert.deepEqual(spaceRuns("수 있"), [[false, "수"], [true, "·"], [false, "있"]]);
    assert.deepEqual(spaceRuns("요."), [[false, "요."]]);
  });
});
