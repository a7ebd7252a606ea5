// Machine drafts on the transcriber's page: which words are marked, and the typing count
// that measures the effort a draft saves.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { markedWords, showsDraft, TypedCounter } from "../../workbench/ui/static/work/draft_words.js";

describe("marked words", () => {
  const draft = { text: "hello there world", words: [
    { text: "hello", probability: 0.9 }, { text: "there", probability: 0.2 }, { text: "world", probability: null }] };

  it("marks a word whose probability is under the threshold and never one without a probability", () => {
    assert.deepEqual(markedWords(draft, 0.5), [["hello", false], ["there", true], ["world", false]]);
    assert.deepEqual(markedWords(draft, 0.1).map(([, marked]) => marked), [false, false, false]);
  });

  it("shows the draft only while the box holds exactly its text", () => {
    assert.equal(showsDraft({ draft }, "hello there world"), true);
    assert.equal(showsDraft({ draft }, "hello there world!"), false);
    assert.equal(showsDraft({ draft: null }, ""), false);
  });

  it("is pure: no browser global", () => {
    const source = readFileSync(new URL("../../workbench/ui/static/work/draft_words.js", import.meta.url), "utf8");
    assert.doesNotMatch(source.replace(/^\s*\/\/.*$/gm, ""), /\b(document|window|localStorage|fetch)\b/);
  });
});

describe("the typed-characters counter", () => {
  it("counts typed characters and committed compositions, not pastes or the composing keys", () => {
    const typed = new TypedCounter();
    typed.input(1, "insertText", "a", false);
    typed.input(1, "insertCompositionText", "ㄴ", true);
    typed.composed(1, "네");
    typed.input(1, "insertFromPaste", "pasted text", false);
    typed.input(1, "deleteContentBackward", null, false);
    typed.input(2, "insertText", "😀", false);
    assert.equal(typed.take(1), 2);
    assert.equal(typed.take(1), 0);
    assert.equal(typed.take(2), 1);
  });

  it("gives a failed save's count back to the next save", () => {
    const typed = new TypedCounter();
    typed.input(1, "insertText", "ab", false);
    const sent = typed.take(1);
    typed.input(1, "insertText", "c", false);
    typed.giveBack(1, sent);
    assert.equal(typed.take(1), 3);
  });
});
