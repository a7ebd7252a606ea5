// What the pages keep in the browser (localStorage, passed in as ``storage`` so node can
// test this with a stand-in). Nothing here touches the DOM.
import { clean } from "./text.js";

// The transcriber's text per segment until the server has it: {text, base} where base is
// the segment's version the text was typed on.
export class Drafts {
  constructor(storage, prefix = "wb-draft:") {
    this.storage = storage;
    this.prefix = prefix;
  }

  read(id) {
    try { return JSON.parse(this.storage.getItem(this.prefix + id)); } catch (_) { return null; }
  }

  write(segment, text) {
    this.storage.setItem(this.prefix + segment.id, JSON.stringify({ text, base: segment.version }));
  }

  // Tabs share the storage: a save only clears the draft it actually saved (``saved``),
  // never another tab's different text for the same segment; without it, any draft goes.
  drop(id, saved = null) {
    const draft = this.read(id);
    if (saved === null || (draft && clean(draft.text) === saved)) this.storage.removeItem(this.prefix + id);
  }
}

// Where each user is working: {task, segment, round} under their username in "wb-place",
// read again by the transcriber's page on load and by the app's queue (ui/transcriber.py)
// to pick the task to open. A task back from review starts at its first returned segment
// instead: the place belongs to the earlier round.
export const PLACE_KEY = "wb-place";

export class Places {
  constructor(storage) { this.storage = storage; }

  all() {
    try { return JSON.parse(this.storage.getItem(PLACE_KEY)) || {}; } catch (_) { return {}; }
  }

  remember(user, place) {
    const places = this.all();
    places[user] = place;
    try { this.storage.setItem(PLACE_KEY, JSON.stringify(places)); } catch (_) { /* storage full */ }
  }

  // The index in ``segments`` of the segment ``user`` was on in this task and round, or -1.
  segmentIndex(user, { task, round }, segments) {
    const place = this.all()[user];
    const same = place && place.task === task && place.round === round;
    return same ? segments.findIndex((s) => s.id === place.segment) : -1;
  }
}
