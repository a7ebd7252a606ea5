// tr() (static/work/i18n.js): the page's table first, else the English message itself, with
// {name} placeholders filled from the parameters and unknown ones left as written.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

globalThis.wbStrings = { "Sentence {n}": "{n}번 문장", "Play": "재생" };
const { tr } = await import("../../workbench/ui/static/work/i18n.js");

describe("tr", () => {
  it("gives the page's translation, its placeholders filled", () => {
    assert.equal(tr("Play"), "재생");
    assert.equal(tr("Sentence {n}", { n: 3 }), "3번 문장");
  });
  it("shows a message the table lacks in English, and never fills what it was not given", () => {
    assert.equal(tr("{n} returned", { n: 2 }), "2 returned");
    assert.equal(tr("Sentence {n}"), "{n}번 문장");
    assert.equal(tr("constructor"), "constructor");
    assert.equal(tr("{toString}", {}), "{toString}");
  });
});
