// Keys a user moved to another Alt+letter (keymap.rebind), kept in this browser per
// username in localStorage "wb-keys", and the small form that changes them.
import { h } from "./dom.js";
import { REASSIGNABLE, rebind } from "./keymap.js";
import { tr } from "./i18n.js";

const KEY = "wb-keys";
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");

function stored(storage) {
  try {
    const all = JSON.parse(storage.getItem(KEY));
    return all && typeof all === "object" && !Array.isArray(all) ? all : {};
  } catch (_) { return {}; }
}

// Applies ``user``'s keys to ``keymap`` through ``use`` (installHotkeys' answer) and puts
// a "keys" form after ``footer``; ``refused(message)`` says when a choice is taken.
export function installKeys(keymap, use, footer, user, refused, storage = localStorage) {
  const all = stored(storage);
  let { keymap: table, applied } = rebind(keymap, all[user]);
  use(table);
  const selects = [];
  const rows = keymap.filter((b) => REASSIGNABLE.includes(b.action)).map((binding) => {
    const current = () => (applied[binding.action] || `Key${binding.keys.slice(4)}`).slice(3);
    const select = h("select", { "data-action": binding.action, "aria-label": tr("Key for {action}", { action: binding.label }) },
      ...LETTERS.map((letter) => h("option", { value: letter, selected: letter === current() }, `Alt+${letter}`)));
    select.addEventListener("change", () => {
      const wanted = { ...applied, [binding.action]: `Key${select.value}` };
      const result = rebind(keymap, wanted);
      if (result.applied[binding.action] !== wanted[binding.action]) {
        refused(tr("Alt+{letter} is taken by another key: choose another letter.", { letter: select.value }));
        select.value = current();
        return;
      }
      ({ keymap: table, applied } = result);
      all[user] = applied;
      storage.setItem(KEY, JSON.stringify(all));
      use(table);
    });
    selects.push(select);
    return h("label", {}, select, ` ${binding.label}`);
  });
  footer.after(h("details", { class: "key-choice" }, h("summary", {}, tr("change keys")), ...rows));
}
