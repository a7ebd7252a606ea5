// The pure modules of the task pages touch no browser: node imports and runs them as they
// are (these tests), and their code names no DOM or browser global.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

const PURE = ["save_state.js", "keymap.js", "intervals.js", "text.js", "urls.js", "drafts.js", "edits.js", "listening.js", "palette.js", "spaces.js", "i18n.js"];
const BROWSER = /\b(document|window|localStorage|navigator|fetch|HTMLElement|Audio)\b/;

const code = (name) => readFileSync(new URL(`../../workbench/ui/static/work/${name}`, import.meta.url), "utf8")
  .split("\n").filter((line) => !line.trimStart().startsWith("//")).join("\n");

describe("the pure modules", () => {
  for (const name of PURE) {
    it(`${name} names no browser global and imports only pure modules`, async () => {
      const source = code(name);
      assert.doesNotMatch(source, BROWSER);
      for (const [, imported] of source.matchAll(/from "\.\/([\w.]+)"/g)) assert.ok(PURE.includes(imported), imported);
      await import(`../../workbench/ui/static/work/${name}`);
    });
  }
});
