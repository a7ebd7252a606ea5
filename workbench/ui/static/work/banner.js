// The page's one message line, and whether the session has ended.
import { h } from "./dom.js";
import { tr } from "./i18n.js";

// The session ended (signed out elsewhere, expired, closed by an admin): every call answers
// 401 until the user signs in again in this browser. The page says so at once and keeps
// saying so; it is the pages' job to keep what was typed and send it again. Listeners
// (``onSessionChange``) redraw what depends on it (the transcriber's save state).
let signedOut = false;
const listeners = [];

export const isSignedOut = () => signedOut;
export const onSessionChange = (fn) => listeners.push(fn);

export function setSignedOut(value) {
  if (value === signedOut) return;
  signedOut = value;
  if (value) {
    banner("bad signed-out",
      tr("You are signed out — your text is kept in this browser; sign in again to save.") + " ",
      h("a", { href: "/login", target: "_blank", rel: "noopener" }, tr("Sign in (opens a new tab)")),
      " " + tr("and come back: what you typed is sent then."));
  } else {
    banner("ok", tr("Signed in again."));
  }
  for (const fn of listeners) fn();
}

// While signed out, that stays the message: nothing else the page says matters as much.
export function banner(kind, ...content) {
  if (signedOut && !kind.includes("signed-out")) return;
  const el = document.getElementById("banner");
  el.className = `banner ${kind}`;
  el.replaceChildren(...content);
}
