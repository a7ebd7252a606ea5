// The transcriber's "Take the next task" (ui/transcriber.py): one JSON call, outside Gradio's
// queue, so a crowd of clicks is answered side by side. On success the workspace frame opens
// the claimed task and the queue refreshes; a refusal is shown beside the button.
"use strict";

window.wbTakeNextTask = async function wbTakeNextTask() {
  const button = document.querySelector("#wb-take-next-task");
  const message = document.querySelector("#wb-take-error");
  message.textContent = "";
  button.disabled = true;
  try {
    const response = await fetch("/api/work/tasks/claim", {method: "POST", credentials: "same-origin"});
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      message.textContent = answer.detail || `The task could not be taken (${response.status}).`;
      return;
    }
    openTask(answer.url, answer.task_id);
  } catch (error) {
    message.textContent = "The server did not answer; try again.";
  } finally {
    button.disabled = false;
    // The queue's own refresh lists the task and sets the button as the queue allows.
    const refresh = document.querySelector("button#wb-refresh-transcriber, #wb-refresh-transcriber button");
    if (refresh) refresh.click();
  }
};

// Points the workspace's frame at the task (ui/handlers/transcriber.py workspace_html), making
// the frame if the workspace still shows "pick a task". A new URL, so the view always reloads.
function openTask(url, taskId) {
  const workspace = document.querySelector("#wb-transcriber-workspace");
  let frame = workspace.querySelector("iframe.wb-task-frame");
  if (!frame) {
    frame = document.createElement("iframe");
    frame.className = "wb-task-frame";
    const empty = workspace.querySelector(".wb-empty-task");
    if (empty) empty.replaceWith(frame);
    else workspace.appendChild(frame);
  }
  frame.title = `Task ${taskId}`;
  frame.src = `${url}?opened=${Date.now()}`;
}
