// The page's words in the reader's language (ui/i18n.py). The server puts this page's
// translations in <script id="wb-strings" type="application/json">; a message missing there
// (or the whole object, for English) is shown as written, in English, which is its id.
// Mark every text a person reads: tr("Play"), tr("Sentence {n}", { n: 3 }).
// (Without a document, as in the node unit tests, every message is its English self.)
const element = typeof document === "undefined" ? null : document.getElementById("wb-strings");
const STRINGS = element ? JSON.parse(element.textContent) : {};

export function tr(message, params = {}) {
  const text = Object.hasOwn(STRINGS, message) ? STRINGS[message] : message;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}
