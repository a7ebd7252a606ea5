// The reviewer's second looks on the queue page (ui/queue_page.py): a senior's "Checks for
// you" (sampled acceptances: Confirm or Overturn, ui/senior_api.py) and the double
// transcriptions that disagree (pick the first text, the second, or write a third,
// ui/double_api.py). Each section stays hidden until its JSON lists something; a reviewer
// who is not a senior is refused the checks and never sees that section.
import { api, ApiError, failure } from "./api.js";
import { h } from "./dom.js";
import { tr } from "./i18n.js";

const $ = (id) => document.getElementById(id);

// POST and read the list again; a refusal shows beside the item and changes nothing.
async function decide(item, path, body, reload) {
  const error = item.querySelector(".take-error");
  item.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    await api("POST", path, body);
    await reload();
  } catch (e) {
    error.textContent = failure(e);
    item.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

function checkItem(check) {
  const item = h("li", { class: "second-look", "data-check": check.id });
  const verdict = (value) => () => decide(item, `/senior-checks/${check.id}`, { verdict: value }, showChecks);
  item.append(
    h("p", { class: "meta" }, tr("Task {task} · {project}", { task: check.task_id, project: check.project })),
    h("p", { class: "said", lang: check.language }, check.text || tr("(no text)")),
    h("p", {},
      h("button", { class: "btn ok", type: "button", onclick: verdict("confirmed") }, tr("Confirm")), " ",
      h("button", { class: "btn bad", type: "button", onclick: verdict("overturned") }, tr("Overturn")), " ",
      h("span", { class: "take-error", role: "alert" })));
  return item;
}

function disputeItem(dispute) {
  const item = h("li", { class: "second-look", "data-dispute": dispute.id });
  const settle = (choice, text) => decide(item, `/double/disputes/${dispute.id}`, { choice, text }, showDisputes);
  const third = h("input", { type: "text", class: "third", "aria-label": tr("Third text"), lang: dispute.language });
  item.append(
    h("p", { class: "meta" }, tr("{start}–{end} s", { start: dispute.start.toFixed(1), end: dispute.end.toFixed(1) })),
    h("div", { class: "side-by-side" },
      h("p", { class: "said", lang: dispute.language }, dispute.first_text),
      h("p", { class: "said", lang: dispute.language }, dispute.second_text)));
  if (dispute.note) {  // the original's transcriber split or merged the span: its review decides
    item.append(h("p", { class: "take-error" }, dispute.note));
    return item;
  }
  item.append(
    h("p", {},
      h("button", { class: "btn", type: "button", onclick: () => settle("first") }, tr("Pick first")), " ",
      h("button", { class: "btn", type: "button", onclick: () => settle("second") }, tr("Pick second"))),
    h("p", {}, third, " ",
      h("button", { class: "btn", type: "button", onclick: () => settle("third", third.value) }, tr("Write a third")),
      " ", h("span", { class: "take-error", role: "alert" })));
  return item;
}

async function fill(section, list, path, pick, item) {
  let found = [];
  try {
    found = pick(await api("GET", path));
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) { section.hidden = true; return; }
    list.replaceChildren(h("li", { class: "empty" }, failure(error)));
    section.hidden = false;
    return;
  }
  section.hidden = !found.length;
  list.replaceChildren(...found.map(item));
}

export const showChecks = () => fill($("checks"), $("check-list"), "/senior-checks", (data) => data, checkItem);
export const showDisputes = () => fill($("disputes"), $("dispute-list"), "/double/disputes",
  (data) => data.disputes, disputeItem);
