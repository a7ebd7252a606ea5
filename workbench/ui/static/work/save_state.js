// The transcriber's save state, per segment, as one table: the states, what each means
// for the page, and the events that move a segment from one to another. Pure: nothing
// here touches the DOM; saves.js fires the events and the header's text comes from here.
//
//   edit            the user typed (a save is scheduled)
//   unchanged       a save found the text equal to the server's: nothing to send
//   send            the text goes to the server
//   ack             the server has it, and the box still says the same
//   ack_changed     the server has it, but the user typed on meanwhile
//   same_elsewhere  refused as stale, yet the stored text is the very same: nothing to choose
//   conflict        refused as stale (or a draft older than the server's text): the user chooses
//   signed_out      the session ended: kept, sent again once signed in
//   refused         the server refused the text (a 4xx): its message is shown
//   offline         no connection, or a server restarting: kept and retried
//   resolve         the user picked a side of a conflict
import { tr } from "./i18n.js";

// badge: what the row's badge says (null: the segment's own status).
// retry: sent again when the connection or the session comes back.
// flush: sent before an action that needs the server up to date (check, submit, split…).
// settled: a submit may go ahead.
export const STATES = Object.freeze({
  idle: { badge: null, retry: false, flush: false, settled: true },
  pending: { badge: tr("unsaved"), retry: false, flush: true, settled: true },
  saving: { badge: tr("saving…"), retry: false, flush: false, settled: true },
  offline: { badge: tr("kept offline"), retry: true, flush: true, settled: false },
  signed_out: { badge: tr("not saved"), retry: true, flush: true, settled: false },
  conflict: { badge: tr("conflict"), retry: false, flush: false, settled: false },
});

export const EVENTS = Object.freeze([
  "edit", "unchanged", "send", "ack", "ack_changed", "same_elsewhere", "conflict",
  "signed_out", "refused", "offline", "resolve",
]);

// Text waiting to go out, in any form, starts again from the user's edit or a send.
const waiting = { edit: "pending", unchanged: "idle", send: "saving", conflict: "conflict" };

// state -> event -> next state. A pair that is not here is not allowed: the event is
// ignored in that state (while a conflict waits for the user, nothing is sent).
export const TRANSITIONS = Object.freeze({
  idle: waiting,
  pending: waiting,
  offline: waiting,
  signed_out: waiting,
  saving: {
    edit: "saving",  // the save on its way goes on; the new text follows it
    ack: "idle",
    ack_changed: "pending",
    same_elsewhere: "idle",
    conflict: "conflict",
    signed_out: "signed_out",
    refused: "idle",
    offline: "offline",
  },
  conflict: { resolve: "idle" },
});

// The state after ``event`` in ``state``, or null when the table does not allow it.
export function next(state, event) {
  if (!(state in STATES)) throw new Error(`unknown save state: ${state}`);
  if (!EVENTS.includes(event)) throw new Error(`unknown save event: ${event}`);
  return TRANSITIONS[state][event] ?? null;
}

export const badge = (state) => STATES[state].badge;

// The header's words for all segments' states together; ``bad`` makes them stand out.
// "all saved" only when the server has everything.
export function summary(states, { signedOut = false } = {}) {
  const count = (wanted) => states.filter((s) => s === wanted).length;
  const offline = count("offline");
  const conflicts = count("conflict");
  const bad = Boolean(offline || conflicts || signedOut);
  if (signedOut) return { text: tr("signed out: {n} not saved, kept on this device", { n: count("signed_out") }), bad };
  if (conflicts) return { text: conflicts > 1 ? tr("{n} conflicts to resolve", { n: conflicts }) : tr("1 conflict to resolve"), bad };
  if (offline) return { text: tr("offline: {n} kept on this device", { n: offline }), bad };
  // Text refused while signed out, once signed in again, goes out at the next retry.
  if (states.some((s) => s === "saving" || s === "pending" || s === "signed_out")) return { text: tr("saving…"), bad };
  return { text: tr("all saved"), bad };
}
