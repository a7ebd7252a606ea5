// The transcriber's saving: text goes out as it is typed (debounced, with the version it
// was based on) and stays a draft in the browser until the server has it. Each segment's
// save state moves only through the table in save_state.js.
import { api, ApiError } from "./api.js";
import { next, STATES } from "./save_state.js";
import { clean } from "./text.js";

const SAVE_DELAY_MS = 700;

// ``page`` holds ``segments``, ``rows`` (segment id -> {text}) and ``composing`` (the
// segment id an input method is composing in); ``drafts`` is a Drafts; ``changed(id)``
// redraws the segment's row and the header; ``accept(segment)`` takes the server's copy;
// ``typed`` (a TypedCounter, optional) counts the characters typed, sent with each save.
export class Saves {
  constructor({ page, drafts, changed, accept, typed = null }) {
    Object.assign(this, { page, drafts, changed, accept, typed });
    this.saves = new Map();  // segment id -> {state, timer, inflight, again, conflict, error}
  }

  of(id) {
    if (!this.saves.has(id)) this.saves.set(id, { state: "idle", timer: null, inflight: false, again: false });
    return this.saves.get(id);
  }

  states() { return [...this.saves.values()].map((s) => s.state); }

  // Segments merged away have no save any more.
  forget(keep) { for (const id of this.saves.keys()) if (!keep(id)) this.saves.delete(id); }

  // Moves a segment's save by the table; false (and nothing changes) when not allowed.
  fire(id, event) {
    const save = this.of(id);
    const state = next(save.state, event);
    if (state === null) return false;
    save.state = state;
    if (state === "conflict") { clearTimeout(save.timer); save.timer = null; }
    return true;
  }

  idsWhere(property) {
    return [...this.saves].filter(([, s]) => STATES[s.state][property]).map(([id]) => id);
  }

  schedule(id, delay = SAVE_DELAY_MS) {
    if (!this.fire(id, "edit")) return;  // a conflict: the user decides first
    const save = this.of(id);
    clearTimeout(save.timer);
    save.timer = setTimeout(() => this.saveNow(id), delay);
    this.changed(id);
  }

  async saveNow(id, { keepalive = false } = {}) {
    const save = this.of(id);
    clearTimeout(save.timer);
    save.timer = null;
    if (save.inflight) { save.again = true; return; }
    if (this.page.composing === id) return;  // half a syllable is not a sentence: compositionend saves
    const segment = this.segment(id);
    const text = this.page.rows.get(id).text.value;
    if (clean(text) === segment.text) {
      if (this.fire(id, "unchanged")) this.drafts.drop(id, segment.text);
      this.changed(id);
      return;
    }
    if (!this.fire(id, "send")) return;
    save.inflight = true;
    save.error = null;
    this.changed(id);  // the page-wide "all saved" must not stand while this save is on its way
    const typedChars = this.typed ? this.typed.take(id) : null;
    const body = { text, base_version: segment.version, ...(typedChars === null ? {} : { typed_chars: typedChars }) };
    try {
      const updated = await api("PUT", `/segments/${id}/text`, body, { keepalive });
      this.acknowledged(id, updated);
    } catch (error) {
      if (this.typed) this.typed.giveBack(id, typedChars);
      this.failed(id, error);
    } finally {
      save.inflight = false;
      this.changed(id);
      if (save.again && save.state !== "conflict") {
        save.again = false;
        this.schedule(id, 0);
      }
    }
  }

  acknowledged(id, updated) {
    this.accept(updated);
    const now = this.page.rows.get(id).text.value;
    const settled = clean(now) === updated.text;
    if (settled) this.drafts.drop(id, updated.text); else this.drafts.write(updated, now);
    this.fire(id, settled ? "ack" : "ack_changed");
    this.of(id).again = !settled;
  }

  failed(id, error) {
    const save = this.of(id);
    const current = error instanceof ApiError && error.status === 409 ? error.body.current : null;
    if (current && clean(this.page.rows.get(id).text.value) === current.text) {
      this.accept(current);  // the other tab saved the very same sentence: nothing to choose
      this.drafts.drop(id, current.text);
      this.fire(id, "same_elsewhere");
    } else if (current) {
      save.conflict = current;
      this.fire(id, "conflict");
    } else if (error instanceof ApiError && error.status === 401) {
      this.fire(id, "signed_out");  // the draft stays; sent again once signed in (retryUnsent)
    } else if (error instanceof ApiError && error.status < 500) {
      save.error = error.message;
      this.fire(id, "refused");
    } else {  // no connection, or a server that is restarting: keep it and retry
      this.fire(id, "offline");
    }
  }

  // A draft typed on an older version than the server's: the user chooses.
  conflictWith(id, theirs) {
    if (this.fire(id, "conflict")) this.of(id).conflict = theirs;
  }

  // The user's choice in a conflict: "theirs" or "mine" (sent again on the stored version).
  // Returns the stored segment, or null when there was no conflict.
  resolve(id) {
    const save = this.of(id);
    const theirs = save.conflict;
    if (!this.fire(id, "resolve")) return null;
    save.conflict = null;
    return theirs;
  }

  // Offline text goes out when the connection returns; text refused for an ended session
  // once the user has signed in again (in another tab).
  retryUnsent() { for (const id of this.idsWhere("retry")) this.saveNow(id); }

  // Closing the tab: whatever is still waiting goes out; the drafts stay anyway.
  sendPending() {
    for (const [id, save] of this.saves) if (save.state === "pending") this.saveNow(id, { keepalive: true });
  }

  // Everything waiting goes out, and every save on its way arrives (or fails).
  async flush() {
    await Promise.all(this.idsWhere("flush").map((id) => this.saveNow(id)));
    while ([...this.saves.values()].some((s) => s.inflight)) await new Promise((r) => setTimeout(r, 50));
  }

  unsettled() { return this.states().filter((s) => !STATES[s].settled).length; }

  segment(id) { return this.page.segments.find((s) => s.id === id); }
}
