// Guideline flags and sentence hints of a machine draft on the transcriber's page.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { APPLY_HINT_KEY, flagLines, flagsByWord, hintLine } from "../../workbench/ui/static/work/draft_guidance.js";

const flags = [
  { rule: "dual-notation", index: 0, word: "3시에", message: "numbers/foreign words need (spelling)/(pronunciation)" },
  { rule: "dual-notation", index: 2, word: "KTX", message: "numbers/foreign words need (spelling)/(pronunciation)" },
  { rule: "noise-tag", index: null, word: "[音楽]", message: "tag the noise" },
];

describe("guideline flags", () => {
  it("puts a word's flags on its index and the rest on the segment", () => {
    const { byWord, whole } = flagsByWord(flags);
    assert.deepEqual([...byWord.keys()], [0, 2]);
    assert.deepEqual(whole.map((f) => f.word), ["[音楽]"]);
    assert.deepEqual(flagsByWord(undefined).whole, []);
  });

  it("says each rule once, naming its words", () => {
    assert.deepEqual(flagLines(flags), [
      "“3시에”, “KTX”: numbers/foreign words need (spelling)/(pronunciation)", "“[音楽]”: tag the noise"]);
    assert.deepEqual(flagLines([{ rule: "sound-no-words", index: null, word: "", message: "no words" }]), ["no words"]);
  });
});

describe("sentence hints", () => {
  it("offers the hint with its key, and nothing without one", () => {
    assert.equal(hintLine({ kind: "split", message: "a sentence ends at “knew.”" }),
      `Suggestion (split): a sentence ends at “knew.” — ${APPLY_HINT_KEY} applies it`);
    assert.match(hintLine({ kind: "merge", message: "m" }), /^Suggestion \(merge\)/);
    assert.equal(hintLine(null), null);
  });

  it("is pure: no browser global", () => {
    const source = readFileSync(new URL("../../workbench/ui/static/work/draft_guidance.js", import.meta.url), "utf8");
    assert.doesNotMatch(source.replace(/^\s*\/\/.*$/gm, ""), /\b(document|window|localStorage|fetch)\b/);
  });
});
