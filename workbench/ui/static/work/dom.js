// Small DOM helpers both task pages share.

// An element with attributes ("on…" ones become listeners) and children.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : String(child));
    }
  }
  return el;
}

// Grows a textarea to fit its sentence without ever touching its value.
export function fit(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${textarea.scrollHeight + 2}px`;
}

// Buttons that must not take the focus away from the text box.
export const keepFocus = (event) => event.preventDefault();

// A sentence is one line: a line break never goes into its box, not even the one an input
// method passes on with the Enter that ends a syllable (flagged as composing, so no hotkey
// sees it). Cancelling ``beforeinput`` leaves the composed text alone.
const LINE_BREAKS = ["insertLineBreak", "insertParagraph"];
export function oneLine(textarea) {
  textarea.addEventListener("beforeinput", (event) => {
    if (LINE_BREAKS.includes(event.inputType)) event.preventDefault();
  });
  return textarea;
}
