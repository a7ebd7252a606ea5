// The keyboard dispatcher (workbench/ui/static/work/keymap.js): a key press description and
// what the page is in the middle of in, the actions to run out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  composing, dispatch, legend, PLAYER_KEYS, REVIEWER_KEYS, TRANSCRIBER_KEYS,
} from "../../workbench/ui/static/work/keymap.js";

// A key press as hotkeys.js describes it; ``target`` defaults to a sentence box.
const press = (key, code, extra = {}) => ({
  key, code, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false,
  isComposing: false, keyCode: 0, target: "text", ...extra,
});
const altPress = (key, code, extra = {}) => press(key, code, { altKey: true, ...extra });
const does = (keymap, key, context) => dispatch(keymap, key, context);

describe("the player's keys, on both pages", () => {
  const cases = [
    [press("Escape", "Escape"), "toggle", undefined],
    [altPress("r", "KeyR"), "replay", undefined],
    [altPress("b", "KeyB"), "back", undefined],
    [altPress(",", "Comma"), "rate", -0.25],
    [altPress(".", "Period"), "rate", 0.25],
    [press("Enter", "Enter"), "next", undefined],
    [altPress("ArrowDown", "ArrowDown"), "next", undefined],
    [press("Enter", "Enter", { shiftKey: true }), "previous", undefined],
    [altPress("ArrowUp", "ArrowUp"), "previous", undefined],
  ];
  for (const keymap of [TRANSCRIBER_KEYS, REVIEWER_KEYS]) {
    for (const [key, action, arg] of cases) {
      it(`${key.altKey ? "Alt+" : ""}${key.shiftKey ? "Shift+" : ""}${key.code} does ${action}`, () => {
        assert.deepEqual(does(keymap, key), { actions: [[action, arg]], prevent: true });
      });
    }
  }

  it("moves on with Enter only from a sentence box; Alt+arrows work anywhere", () => {
    for (const target of ["other", "comment"]) {
      assert.deepEqual(does(PLAYER_KEYS, press("Enter", "Enter", { target })).actions, []);
      assert.deepEqual(does(PLAYER_KEYS, altPress("ArrowDown", "ArrowDown", { target })).actions, [["next", undefined]]);
    }
  });

  it("leaves keys it does not know, and Ctrl or Meta with Alt, to the browser", () => {
    for (const key of [press("a", "KeyA"), press("1", "Digit1"), altPress("r", "KeyR", { ctrlKey: true }),
      altPress("r", "KeyR", { metaKey: true }), press("Escape", "Escape", { shiftKey: true }),
      press("Enter", "Enter", { ctrlKey: true })]) {
      assert.deepEqual(does(TRANSCRIBER_KEYS, key), { actions: [], prevent: false }, JSON.stringify(key));
    }
  });
});

describe("while an input method composes", () => {
  const keys = [press("Enter", "Enter"), press("Escape", "Escape"), altPress("n", "KeyN"), press("2", "Digit2")];
  for (const key of keys) {
    it(`${key.code} belongs to it, with isComposing or keyCode 229`, () => {
      for (const extra of [{ isComposing: true }, { keyCode: 229 }]) {
        const during = { ...key, ...extra };
        assert.ok(composing(during));
        for (const keymap of [TRANSCRIBER_KEYS, REVIEWER_KEYS]) {
          assert.deepEqual(does(keymap, during, { reasons: 4 }), { actions: [], prevent: false });
        }
      }
    });
  }
});

describe("the transcriber's keys", () => {
  it("opens the no-speech choice, splits and merges", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("n", "KeyN")).actions, [["openReasons", undefined]]);
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("s", "KeyS")).actions, [["split", undefined]]);
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("m", "KeyM")).actions, [["merge", undefined]]);
  });

  it("matches Alt keys by their place, whatever letter the layout gives", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("ㅜ", "KeyN")).actions, [["openReasons", undefined]]);
  });

  it("has no reviewer keys", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("a", "KeyA")).actions, []);
  });
});

describe("with the no-speech choice open", () => {
  const open = { reasons: 4 };
  it("a digit picks its reason and nothing else happens", () => {
    for (let n = 1; n <= 4; n++) {
      assert.deepEqual(does(TRANSCRIBER_KEYS, press(String(n), `Digit${n}`), open),
        { actions: [["chooseReason", n - 1]], prevent: true });
    }
  });

  it("Esc closes it without playing or pausing", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("Escape", "Escape"), open),
      { actions: [["closeReasons"]], prevent: true });
  });

  it("a digit past the reasons, or with Alt, closes it and is typed as usual", () => {
    for (const key of [press("5", "Digit5"), press("9", "Digit9"), altPress("1", "Digit1"), press("0", "Digit0")]) {
      assert.deepEqual(does(TRANSCRIBER_KEYS, key, open), { actions: [["closeReasons"]], prevent: false }, key.key);
    }
  });

  it("any other key closes it first, then does what it always does", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("Enter", "Enter"), open),
      { actions: [["closeReasons"], ["next", undefined]], prevent: true });
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("n", "KeyN"), open),
      { actions: [["closeReasons"], ["openReasons", undefined]], prevent: true });
  });

  it("a modifier alone leaves it open", () => {
    for (const name of ["Shift", "Alt", "Control", "Meta"]) {
      assert.deepEqual(does(TRANSCRIBER_KEYS, press(name, `${name}Left`), open), { actions: [], prevent: false });
    }
  });

  it("with it closed, a digit is only typed", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("1", "Digit1"), {}), { actions: [], prevent: false });
  });
});

describe("the reviewer's keys", () => {
  it("accepts and asks for a comment", () => {
    assert.deepEqual(does(REVIEWER_KEYS, altPress("a", "KeyA")).actions, [["accept", undefined]]);
    assert.deepEqual(does(REVIEWER_KEYS, altPress("x", "KeyX")).actions, [["askComment", undefined]]);
  });

  it("sends a comment with Enter in its box, with or without Shift", () => {
    for (const shiftKey of [false, true]) {
      assert.deepEqual(does(REVIEWER_KEYS, press("Enter", "Enter", { target: "comment", shiftKey })),
        { actions: [["sendComment", undefined]], prevent: true });
    }
  });

  it("has no transcriber keys", () => {
    assert.deepEqual(does(REVIEWER_KEYS, altPress("n", "KeyN")).actions, []);
    assert.deepEqual(does(REVIEWER_KEYS, altPress("p", "KeyP")).actions, []);
  });
});

describe("the transcriber's context listening keys", () => {
  it("Alt+P plays with a lead-in and Alt+L loops, from any box", () => {
    for (const target of ["text", "other"]) {
      assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("p", "KeyP", { target })), { actions: [["leadIn", undefined]], prevent: true });
      assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("l", "KeyL", { target })), { actions: [["loop", undefined]], prevent: true });
    }
  });
});

describe("the tag palette's choice", () => {
  it("Alt+T opens it; a digit inserts that entry, Esc closes it", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("t", "KeyT")), { actions: [["openTags", undefined]], prevent: true });
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("3", "Digit3"), { tags: 6 }), { actions: [["chooseTag", 2]], prevent: true });
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("Escape", "Escape"), { tags: 6 }), { actions: [["closeTags"]], prevent: true });
  });
  it("a digit past the entries, or any other key, closes it and is typed as usual", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("7", "Digit7"), { tags: 6 }), { actions: [["closeTags"]], prevent: false });
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("가", "KeyR"), { tags: 6 }), { actions: [["closeTags"]], prevent: false });
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("Shift", "ShiftLeft"), { tags: 6 }), { actions: [], prevent: false });
  });
});

describe("the legend", () => {
  it("lists every key shown, in table order", () => {
    assert.deepEqual(legend(TRANSCRIBER_KEYS).map(([keys]) => keys), [
      "Esc", "Alt+R", "Alt+B", "Alt+, / Alt+.", "Enter / Alt+↓", "Shift+Enter / Alt+↑", "Alt+P", "Alt+L", "Alt+N", "Alt+T",
      "Alt+S", "Alt+M", "Alt+C", "Alt+H", "Alt+[ / Alt+]", "Alt+; / Alt+'"]);
    assert.deepEqual(legend(REVIEWER_KEYS).map(([keys]) => keys), [
      "Esc", "Alt+R", "Alt+B", "Alt+, / Alt+.", "Enter / Alt+↓", "Shift+Enter / Alt+↑", "Alt+A", "Alt+X", "Alt+G"]);
  });

  it("names one action for every binding, each matched first by its own keys", () => {
    for (const keymap of [TRANSCRIBER_KEYS, REVIEWER_KEYS]) {
      for (const binding of keymap) assert.equal(typeof binding.action, "string");
    }
  });
});

describe("a DOM key event as the dispatcher sees it (hotkeys.describe)", async () => {
  const { describe: describeEvent } = await import("../../workbench/ui/static/work/hotkeys.js");
  const on = (...classes) => ({ classList: { contains: (name) => classes.includes(name) } });
  const event = (target) => ({ key: "Enter", code: "Enter", altKey: false, ctrlKey: false, metaKey: false,
    shiftKey: false, isComposing: false, keyCode: 13, target });

  it("tells a sentence box, a comment box and anything else apart", () => {
    assert.equal(describeEvent(event(on("seg-text"))).target, "text");
    assert.equal(describeEvent(event(on("comment-input"))).target, "comment");
    assert.equal(describeEvent(event(on("btn"))).target, "other");
    assert.equal(describeEvent(event({})).target, "other");
  });

  it("keeps what the keymap matches on", () => {
    assert.deepEqual(describeEvent(event(on("seg-text"))), {
      key: "Enter", code: "Enter", altKey: false, ctrlKey: false, metaKey: false, shiftKey: false,
      isComposing: false, keyCode: 13, target: "text" });
  });
});

describe("keys reassigned by the user", async () => {
  const { rebind } = await import("../../workbench/ui/static/work/keymap.js");
  it("moves an action to another Alt+letter, and the old key does nothing", () => {
    const { keymap, applied } = rebind(TRANSCRIBER_KEYS, { split: "KeyK" });
    assert.deepEqual(applied, { split: "KeyK" });
    assert.deepEqual(does(keymap, altPress("k", "KeyK")).actions, [["split", undefined]]);
    assert.deepEqual(does(keymap, altPress("s", "KeyS")).actions, []);
    assert.ok(legend(keymap).some(([keys, label]) => keys === "Alt+K" && label.startsWith("split")));
  });
  it("never puts two actions on one key: both keep their own", () => {
    const { keymap, applied } = rebind(TRANSCRIBER_KEYS, { split: "KeyM" });
    assert.deepEqual(applied, {});
    assert.deepEqual(does(keymap, altPress("m", "KeyM")).actions, [["merge", undefined]]);
    assert.deepEqual(rebind(TRANSCRIBER_KEYS, { split: "KeyK", merge: "KeyK" }).applied, {});
  });
  it("ignores anything but a reassignable action of this page on Alt+letter", () => {
    for (const overrides of [{ toggle: "KeyK" }, { next: "KeyK" }, { split: "Digit1" }, { split: 7 },
      { accept: "KeyK" }, { split: "Escape" }, null, "junk", [1]]) {
      const { keymap, applied } = rebind(TRANSCRIBER_KEYS, overrides);
      assert.deepEqual(applied, {}, JSON.stringify(overrides));
      assert.deepEqual(legend(keymap), legend(TRANSCRIBER_KEYS));
    }
  });
  it("a key may move to a letter another action left", () => {
    const { applied } = rebind(TRANSCRIBER_KEYS, { split: "KeyM", merge: "KeyJ" });
    assert.deepEqual(applied, { split: "KeyM", merge: "KeyJ" });
  });
});

describe("the timeline's keys", () => {
  it("nudge the start with Alt+[ and Alt+], the end with Alt+; and Alt+', by physical key", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("[", "BracketLeft")).actions, [["nudgeStart", -1]]);
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("]", "BracketRight")).actions, [["nudgeStart", 1]]);
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress(";", "Semicolon")).actions, [["nudgeEnd", -1]]);
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("ㅔ", "Quote")).actions, [["nudgeEnd", 1]]);  // a Korean layout
  });
  it("do nothing while an input method composes, nor without Alt, nor on the reviewer's page", () => {
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("[", "BracketLeft", { isComposing: true })).actions, []);
    assert.deepEqual(does(TRANSCRIBER_KEYS, press("[", "BracketLeft")).actions, []);
    assert.deepEqual(does(REVIEWER_KEYS, altPress("[", "BracketLeft")).actions, []);
  });
  it("Alt+G starts the reviewer's play-through, and only there", () => {
    assert.deepEqual(does(REVIEWER_KEYS, altPress("g", "KeyG")), { actions: [["playThrough", undefined]], prevent: true });
    assert.deepEqual(does(TRANSCRIBER_KEYS, altPress("g", "KeyG")).actions, []);
  });
});
