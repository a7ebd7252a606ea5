// "No speech" needs a reason (guidelines, section 7): Alt+N or the row's button opens a
// choice under the current row, answered with a digit key or a click; Esc or any other key
// closes it (keymap.js: the other key then does what it always does). Focus stays in the
// text box throughout.
import { h, keepFocus } from "./dom.js";
import { tr } from "./i18n.js";

// The same choice, with another prompt, offers the tag palette (Alt+T; palette.js).
export class ReasonChoice {
  // ``choose(reason)`` marks the current segment; ``show(item)`` is an item's label.
  constructor(choose, { prompt = tr("No speech because:"), label = tr("Why is there no speech?"), show = String } = {}) {
    Object.assign(this, { prompt, label, show });
    this.choose = choose;
    this.bar = null;  // the open choice, if any
    this.reasons = [];
  }

  get isOpen() { return this.bar !== null; }

  open(row, reasons) {
    this.close();
    this.reasons = reasons;
    const buttons = reasons.map((reason, i) => h("button", {
      class: "btn small", type: "button", onmousedown: keepFocus,
      onclick: () => this.pick(i) }, h("kbd", {}, String(i + 1)), ` ${this.show(reason)}`));
    this.bar = h("div", { class: "reasons", role: "group", "aria-label": this.label },
      h("span", {}, this.prompt), ...buttons, h("span", { class: "hint" }, h("kbd", {}, "Esc"), " " + tr("cancels")));
    row.li.append(this.bar);
  }

  close() {
    if (this.bar) this.bar.remove();
    this.bar = null;
  }

  pick(index) {
    const reason = this.reasons[index];
    this.close();
    if (reason !== undefined) this.choose(reason);
  }
}
