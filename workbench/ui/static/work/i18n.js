// The page's words in the reader's language (ui/i18n.py). The server puts this page's
// translations in globalThis.wbStrings (a small inline script before the modules); a message
// missing there (or the whole table, for English, and in node's unit tests) is shown as
// written, in English, which is its id. Pure: it names nothing of the browser.
// Mark every text a person reads: tr("Play"), tr("Sentence {n}", { n: 3 }).
const STRINGS = globalThis.wbStrings ?? {};

export function tr(message, params = {}) {
  const text = Object.hasOwn(STRINGS, message) ? STRINGS[message] : message;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}
