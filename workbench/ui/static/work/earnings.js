// The worker's light earnings page (ui/earnings_page.py): one JSON read says what is coming
// (work waiting for review, each payday ahead and whether it pays or carries over) and the
// last paydays. Every sentence comes from the server; this only lays them out.
import { api, failure } from "./api.js";
import { h } from "./dom.js";
import { tr } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const won = (amount) => tr("{amount} won", { amount: amount.toLocaleString("en-US") });

function paydayItem(day) {
  return h("li", { class: day.paid ? "payday" : "payday carried", "data-payday": day.payday }, day.text);
}

function paidTable(rows) {
  if (!rows.length) return [h("tr", {}, h("td", { class: "empty" }, tr("No payday has been settled for you yet.")))];
  const head = h("tr", {}, [tr("Payday"), tr("Minutes"), tr("Gross"), tr("Net"), tr("Status")].map((name) => h("th", {}, name)));
  return [head, ...rows.map((row) => h("tr", {},
    h("td", {}, row.payday), h("td", {}, row.minutes.toFixed(1)), h("td", {}, won(row.gross)),
    h("td", {}, won(row.net)), h("td", {}, row.status_text)))];
}

async function show() {
  try {
    const earnings = await api("GET", "/earnings");
    $("waiting").textContent = earnings.waiting.text;
    const items = earnings.paydays.map(paydayItem);
    if (earnings.nothing_due) items.push(h("li", { class: "empty" }, earnings.nothing_due));
    $("paydays").replaceChildren(...items);
    const minimum = earnings.minimum_payout
      ? tr("A payday pays you when your balance after 3.3% tax reaches {minimum}; less carries over to the next one.",
        { minimum: won(earnings.minimum_payout) })
      : tr("A payday pays your whole balance after 3.3% tax; nothing carries over.");
    $("rules").textContent = tr("Paydays are the 15th and the last day of the month (the business day before when that is a weekend or holiday).")
      + " " + minimum;
    $("paid").replaceChildren(...paidTable(earnings.paid));
  } catch (error) {
    $("waiting").textContent = failure(error);
  }
}

window.addEventListener("pageshow", (event) => { if (event.persisted) show(); });
show();
