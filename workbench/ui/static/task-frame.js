// The app's page hears its task frames (ui/static/work/frame.js): when a task changes hands
// there, the queue of that role refreshes, as if its "↻ Refresh" button were pressed.
"use strict";

window.addEventListener("message", (event) => {
  const data = event.data;
  if (event.origin !== window.location.origin || !data || data.type !== "wb:queue-changed") return;
  if (data.role !== "transcriber" && data.role !== "reviewer") return;
  const id = `wb-refresh-${data.role}`;  // elem_id of the button in ui/transcriber.py and ui/reviewer.py
  const button = document.querySelector(`button#${id}, #${id} button`);
  if (button) button.click();
});
