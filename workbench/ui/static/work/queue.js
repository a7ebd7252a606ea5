// The worker's queue page (ui/queue_page.py): my tasks and "take the next task" for a
// transcriber, the submitted tasks for a reviewer. Two JSON reads fill it; the claim is one
// JSON call, and on success the browser goes to the task's page. Coming back (the browser's
// Back, which may restore this page from its cache) reads the queues again.
import { api, failure } from "./api.js";
import { h } from "./dom.js";
import { tr } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function taskItem(task, extra = []) {
  return h("li", { class: task.returned ? "task returned" : "task", "data-task": task.id },
    h("a", { href: task.url }, task.label), ...extra);
}

function comments(task) {
  if (!task.comments.length) return [];
  return [h("ul", { class: "comments" },
    task.comments.map((c) => h("li", {}, `#${c.position}: ${c.comment}`)))];
}

async function showMyTasks() {
  const list = $("my-tasks");
  try {
    const queue = await api("GET", "/queue");
    $("offer").textContent = queue.offer;
    $("take-next").disabled = !queue.can_claim;
    list.replaceChildren(...queue.tasks.map((task) => taskItem(task, comments(task))));
    if (!queue.tasks.length) list.append(h("li", { class: "empty" }, tr("You hold no task.")));
  } catch (error) {
    $("offer").textContent = failure(error);
  }
}

async function showReviewTasks() {
  const list = $("review-tasks");
  try {
    const queue = await api("GET", "/review-queue");
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
    await showMyTasks();
  }
}

function refresh() {
  if ($("transcribe")) showMyTasks();
  if ($("review")) showReviewTasks();
}

if ($("take-next")) $("take-next").addEventListener("click", takeNextTask);
window.addEventListener("pageshow", (event) => { if (event.persisted) refresh(); });
refresh();
