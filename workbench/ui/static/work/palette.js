// The tag palette: inserting a guideline tag ("b/", "[noise]") or the Korean dual notation
// template "()/()" at the caret. The entries come from the server (guidelines/<lang>.toml,
// workflow.guidelines.palette), the same file the submit check reads. Pure.

// ``value`` with ``entry`` put in place of the selection [start, end): a tag stands as a
// word of its own (a space before and after it unless one is there, as the checker wants
// "b/" at the start of a word); the caret goes ``entry.caret`` characters into it, past
// the space after a tag, or into the template's first bracket.
export function insertEntry(value, start, end, entry) {
  const before = value.slice(0, start);
  const after = value.slice(end);
  const lead = before && !/\s$/.test(before) ? " " : "";
  const trail = after && /^\s/.test(after) ? "" : " ";
  const atEnd = entry.caret === entry.text.length;
  const inserted = lead + entry.text + (atEnd || after ? trail : "");
  // After a tag the caret goes past the space that follows it, added or already there.
  const past = atEnd ? 1 : 0;
  return { value: before + inserted + after, caret: before.length + lead.length + entry.caret + past };
}
