// The task pages run in a frame of the app's Gradio page. When a task changes hands
// (submitted, review finished) they tell the page around them, which refreshes its queue
// (ui/static/task-frame.js listens). Only a page of the same origin hears it.
export function tellQueue() {
  if (window.parent === window) return;  // opened on its own: no queue around it
  window.parent.postMessage({ type: "wb:queue-changed", role: document.body.dataset.role }, window.location.origin);
}
