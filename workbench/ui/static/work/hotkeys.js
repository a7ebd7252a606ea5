// The one keyboard listener of a task page: every key press is described (keymap.js),
// dispatched through the page's keymap, and the actions that come out are run.
import { h } from "./dom.js";
import { dispatch, legend } from "./keymap.js";

// What keymap.js needs to know about a DOM key event.
export function describe(event) {
  const { key, code, altKey, ctrlKey, metaKey, shiftKey, isComposing, keyCode } = event;
  const classes = event.target && event.target.classList;
  const target = !classes ? "other"
    : classes.contains("seg-text") ? "text" : classes.contains("comment-input") ? "comment" : "other";
  return { key, code, altKey, ctrlKey, metaKey, shiftKey, isComposing, keyCode, target };
}

// ``actions`` maps each action name of ``keymap`` to a function of its argument (and the event);
// ``context()`` says what the page is in the middle of (see keymap.dispatch). Returns
// ``use(keymap)``, which puts another table (the user's reassigned keys) in its place.
export function installHotkeys(keymap, actions, context, legendElement) {
  let table = keymap;
  document.addEventListener("keydown", (event) => {
    const { actions: todo, prevent } = dispatch(table, describe(event), context());
    if (prevent) event.preventDefault();
    for (const [name, arg] of todo) actions[name](arg, event);
  }, true);
  const use = (next) => {
    table = next;
    legendElement.replaceChildren(...legend(table).map(([keys, label]) => h("span", {},
      ...keys.split(" / ").flatMap((k, i) => (i ? [" / ", h("kbd", {}, k)] : [h("kbd", {}, k)])),
      " ", label)));
  };
  use(keymap);
  return use;
}
