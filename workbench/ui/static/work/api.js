// The JSON calls of both task pages (ui/work_api.py).
import { setSignedOut } from "./banner.js";
import { API } from "./urls.js";
import { tr } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || tr("The server answered {status}.", { status }));
    this.status = status;
    this.body = body;
  }
}

// A failed fetch (no connection) rejects with a TypeError, never an ApiError: callers tell
// "offline, keep it locally" from "refused" that way. A 401 means signed out; any other
// answer means signed in.
export async function api(method, path, body, { keepalive = false } = {}) {
  const init = { method, credentials: "same-origin", keepalive, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, init);
  let data = {};
  try { data = await response.json(); } catch (_) { /* empty body */ }
  setSignedOut(response.status === 401);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// The message for a failed call: the server's own, or the connection's.
export const failure = (error) => (error instanceof ApiError ? error.message : tr("No connection: try again in a moment."));
