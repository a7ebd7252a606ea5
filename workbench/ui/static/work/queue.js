// The worker's queue page (ui/queue_page.py): my tasks and "take the next task" for a
// transcriber, the submitted tasks for a reviewer. Two JSON reads fill it; the claim is one
// JSON call, and on success the browser goes to the task's page. Coming back (the browser's
// Back, which may restore this page from its cache) reads the queues again.
//
// The page stays live: while the tab is visible it re-reads both queues every
// data-poll-seconds with If-None-Match, so a returned or newly offered task appears without a
// Refresh click; an unchanged queue answers 304 and nothing is redrawn. A hidden tab does not
// poll; showing it again reads at once.
import { api, ApiError, failure } from "./api.js";
import { banner, setSignedOut } from "./banner.js";
import { h } from "./dom.js";
import { tr } from "./i18n.js";
import { showChecks, showDisputes } from "./second_looks.js";
import { API } from "./urls.js";

const $ = (id) => document.getElementById(id);
const tags = new Map();  // path -> the ETag of the answer on screen

// GET path with the tag of what is on screen: the new answer, or null when unchanged (304).
async function readChanged(path) {
  const headers = tags.has(path) ? { "If-None-Match": tags.get(path) } : {};
  const response = await fetch(API + path, { credentials: "same-origin", cache: "no-store", headers });
  setSignedOut(response.status === 401);
  if (response.status === 304) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  if (response.headers.get("ETag")) tags.set(path, response.headers.get("ETag"));
  return data;
}

function taskItem(task, extra = []) {
  return h("li", { class: task.returned ? "task returned" : "task", "data-task": task.id },
    h("a", { href: task.url }, task.label), ...extra);
}

function comments(task) {
  if (!task.comments.length) return [];
  return [h("ul", { class: "comments" },
    task.comments.map((c) => h("li", {}, `#${c.position}: ${c.comment}`)))];
}

let shownReturned = null;  // ids of the returned tasks on screen (null before the first read)

function announceReturned(tasks) {
  const returned = tasks.filter((task) => task.returned).map((task) => task.id);
  const arrived = shownReturned === null ? [] : returned.filter((id) => !shownReturned.includes(id));
  shownReturned = returned;
  if (arrived.length) banner("info", tr("{n} task(s) came back from review: fix the returned segments first.", { n: arrived.length }));
}

async function showMyTasks() {
  const list = $("my-tasks");
  try {
    const queue = await readChanged("/queue");
    if (queue === null) return;
    $("offer").textContent = queue.offer;
    $("take-next").disabled = !queue.can_claim;
    list.replaceChildren(...queue.tasks.map((task) => taskItem(task, comments(task))));
    if (!queue.tasks.length) list.append(h("li", { class: "empty" }, tr("You hold no task.")));
    announceReturned(queue.tasks);
  } catch (error) {
    $("offer").textContent = failure(error);
  }
}

async function showReviewTasks() {
  const list = $("review-tasks");
  try {
    const queue = await readChanged("/review-queue");
    if (queue === null) return;
    const mine = queue.tasks.filter((task) => task.mine).length;
    $("review-offer").textContent = queue.tasks.length
      ? (mine ? tr("{n} task(s), {mine} of them in your review: finish it first.", { n: queue.tasks.length, mine })
        : tr("{n} task(s): open one to review it.", { n: queue.tasks.length }))
      : tr("No submitted task is waiting in your language right now.");
    list.replaceChildren(...queue.tasks.map((task) =>
      taskItem(task, task.mine ? [h("span", { class: "mine" }, " · " + tr("your review"))] : [])));
  } catch (error) {
    $("review-offer").textContent = failure(error);
  }
}

async function takeNextTask() {
  const button = $("take-next");
  $("take-error").textContent = "";
  button.disabled = true;
  try {
    const claimed = await api("POST", "/tasks/claim");
    window.location.assign(claimed.url);
  } catch (error) {
    $("take-error").textContent = failure(error);
    tags.clear();
    await showMyTasks();
  }
}

function refresh() {
  if ($("transcribe")) showMyTasks();
  if ($("review")) showReviewTasks();
}

// The second looks are read on opening and after each decision, not on every poll: a poll
// would wipe a third text being written.
function showSecondLooks() {
  if ($("review")) { showChecks(); showDisputes(); }
}

// Polls while the tab is visible; a hidden tab costs the server nothing.
const pollSeconds = Number(document.body.dataset.pollSeconds) || 0;
let timer = null;

function schedule() {
  clearInterval(timer);
  timer = null;
  if (pollSeconds > 0 && document.visibilityState === "visible") timer = setInterval(refresh, pollSeconds * 1000);
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
  schedule();
});

if ($("take-next")) $("take-next").addEventListener("click", takeNextTask);
window.addEventListener("pageshow", (event) => { if (event.persisted) { tags.clear(); refresh(); showSecondLooks(); } });
refresh();
showSecondLooks();
schedule();
