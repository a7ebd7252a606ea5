// The reviewer's task view: listen to each segment (the intervals the player actually
// played are reported to the server, which alone decides whether it was heard and may be
// accepted), accept it, possibly with corrected text, or return it with a comment.
"use strict";

(() => {
  const { api, h } = WB;
  const taskId = Number(document.body.dataset.task);
  const player = new WB.Player();
  const page = { task: null, segments: [], rows: new Map(), current: -1, editable: false };
  const segmentById = (id) => page.segments.find((s) => s.id === id);
  const decided = (s) => s.status === "accepted" || s.status === "returned";

  // A correction typed but not yet accepted survives a reload as a local draft.
  const draftKey = (id) => `wb-review-draft:${id}`;
  const dropDraft = (id) => localStorage.removeItem(draftKey(id));

  async function load(focusIndex = null) {
    const data = await api("POST", `/review/${taskId}`);
    page.task = data.task;
    page.segments = data.segments;
    page.editable = page.task.state === "in_review";
    build();
    const first = focusIndex ?? Math.max(0, page.segments.findIndex((s) => !decided(s)));
    if (page.segments.length) select(Math.min(first, page.segments.length - 1), { play: false });
  }

  function build() {
    const t = page.task;
    document.getElementById("title").textContent = t.clip_name;
    document.getElementById("meta").textContent =
      `${t.language} · ${t.project} · by ${t.transcriber || "?"} · ${t.state.replace("_", " ")}`;
    for (const id of ["accept-all", "finish"]) document.getElementById(id).disabled = !page.editable;
    if (!page.editable) WB.banner("info", `This task is ${t.state.replace("_", " ")}: nothing to decide here.`);
    page.rows.clear();
    page.current = -1;
    document.getElementById("segments").replaceChildren(...page.segments.map(buildRow));
    for (const s of page.segments) updateRow(s);
    for (const row of page.rows.values()) WB.fit(row.text);
    totals();
  }

  function buildRow(segment, index) {
    const text = h("textarea", {
      class: "seg-text", rows: 1, lang: page.task.language, spellcheck: "false",
      "aria-label": `Sentence ${segment.position}`, readonly: !page.editable,
    });
    text.value = segment.text;
    text.addEventListener("focus", () => select(index, { play: true, focus: false }));
    const draft = page.editable && !decided(segment) ? localStorage.getItem(draftKey(segment.id)) : null;
    if (draft !== null && WB.clean(draft) !== segment.text) text.value = draft;
    text.addEventListener("input", () => {
      WB.fit(text);
      localStorage.setItem(draftKey(segment.id), text.value);
      updateRow(segmentById(segment.id));
    });
    const { meta, wave, play, tools } = WB.rowParts(segment, player, (autoplay) => select(index, { play: autoplay }));
    const acceptButton = h("button", { class: "btn small ok accept", type: "button", onmousedown: WB.keepFocus,
      onclick: () => { select(index, { play: false }); acceptCurrent(); } }, "accept");
    const returnButton = h("button", { class: "btn small bad return", type: "button",
      onclick: () => { select(index, { play: false }); askComment(); } }, "return…");
    const badge = h("span", { class: "badge" });
    const notes = h("div", { class: "seg-notes" });
    const li = h("li", { class: "seg", "data-id": segment.id },
      meta, wave, text, h("div", { class: "seg-side" }, badge, play, acceptButton, returnButton), tools, notes);
    page.rows.set(segment.id, { li, text, badge, notes, wave, tools, acceptButton, returnButton, comment: null });
    return li;
  }

  function updateRow(segment) {
    const row = page.rows.get(segment.id);
    const edited = WB.clean(row.text.value) !== segment.text;
    const heard = segment.heard_share > 0 ? `heard ${Math.floor(segment.heard_share * 100)} %` : "not heard";
    const label = decided(segment) ? WB.statusLabels[segment.status]
      : segment.heard ? "heard" : segment.status === "no_speech" ? `no speech · ${heard}` : heard;
    row.badge.className = `badge ${decided(segment) ? segment.status : segment.heard ? "played" : ""}`;
    row.badge.textContent = edited ? `${label} · edited` : label;
    row.li.classList.toggle("decided", decided(segment));
    row.acceptButton.disabled = !page.editable || !segment.heard;
    row.acceptButton.title = segment.heard ? "Accept (Alt+A)" : "Listen to the whole segment first";
    row.returnButton.disabled = !page.editable;
    const notes = [];
    if (segment.diff && segment.diff.some(([op]) => op !== "equal")) {
      notes.push(h("div", { class: "note diff" }, "Changed since the last review: ",
        ...segment.diff.map(([op, part]) => (op === "equal" ? part : h(op === "insert" ? "ins" : "del", {}, part)))));
    }
    if (segment.review_comment && segment.status === "returned") {
      notes.push(h("div", { class: "note comment" }, `Returned: ${segment.review_comment}`));
    }
    if (segment.no_speech_reason) {
      notes.push(h("div", { class: "note warning" }, `Marked no speech: ${segment.no_speech_reason}`));
    }
    for (const p of segment.problems || []) notes.push(h("div", { class: `note ${p.severity}` }, p.message));
    if (row.comment) notes.push(row.comment);
    row.notes.replaceChildren(...notes);
  }

  function totals() {
    const accepted = page.segments.filter((s) => s.status === "accepted").length;
    const returned = page.segments.filter((s) => s.status === "returned").length;
    const meter = document.getElementById("meter");
    meter.max = page.segments.length || 1;
    meter.value = accepted + returned;
    document.getElementById("count").textContent =
      `${accepted} accepted · ${returned} returned · ${page.segments.length - accepted - returned} undecided`;
  }

  function select(index, { play = true, focus = true } = {}) {
    if (index < 0 || index >= page.segments.length) return;
    const row = page.rows.get(page.segments[index].id);
    if (index !== page.current) {
      listening.close();
      reportPlay();
      WB.makeCurrent(page, index, player, { play });
      listening.segmentId = page.segments[index].id;
    }
    if (focus && document.activeElement !== row.text && !row.li.contains(document.activeElement)) {
      row.text.focus({ preventScroll: true });
    }
  }

  const move = (delta) => select(page.current + delta, { play: true });

  // What the player really played, as intervals [start, end] in seconds of the segment:
  // an interval opens when playback runs and closes at a seek, a pause, the end or a new
  // source, so a click near the end plays (and counts) only the rest. The server credits
  // only the part of them it sent this reviewer, as fast as the wall clock allows.
  const listening = {
    segmentId: null,
    spans: [],
    from: null,  // where the open interval began, null when none is open
    at: 0,       // the furthest point the open interval has reached
    open() {
      const a = player.audio;
      if (this.from === null && !a.paused && !a.seeking && player.segmentId === this.segmentId) {
        this.from = this.at = a.currentTime;
      }
    },
    // Playback moving on extends it (a seek has closed it already); going back closes it.
    extend(t = player.audio.currentTime) {
      if (this.from !== null && t < this.at) this.close();
      else if (this.from !== null) this.at = t;
      this.open();
    },
    close(end = this.at) {
      if (this.from !== null && end > this.from) this.spans.push([this.from, end]);
      this.from = null;
    },
    // The intervals so far (the open one up to where it is), handed over once.
    take() {
      const spans = this.spans;
      if (this.from !== null && this.at > this.from) spans.push([this.from, this.at]);
      if (this.from !== null) this.from = this.at;
      this.spans = [];
      return spans;
    },
  };

  for (const type of ["playing", "seeked"]) player.audio.addEventListener(type, () => listening.open());
  for (const type of ["seeking", "emptied"]) player.audio.addEventListener(type, () => listening.close());

  // Overlapping intervals as one, in time order.
  function union(spans) {
    const merged = [];
    for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    return merged;
  }

  // The intervals played go to the server when playback pauses or ends, when the reviewer
  // moves on, and every few seconds while it plays; the server answers how much of the
  // segment now counts as heard. Reports go one after another, in the order played.
  // Intervals the server could not take yet (the segment's audio still on its way, so
  // not yet sent; or no connection) wait for the next report.
  const unsent = new Map();  // segment id -> intervals
  const keep = (id, spans) => unsent.set(id, union([...(unsent.get(id) || []), ...spans]));
  let reporting = Promise.resolve();
  function reportPlay({ keepalive = false } = {}) {
    const played = listening.take();
    if (played.length && listening.segmentId !== null) keep(listening.segmentId, played);
    if (!page.editable) unsent.clear();
    for (const [id, spans] of unsent) {
      unsent.delete(id);
      const segment = segmentById(id);
      if (!segment) continue;
      const intervals = spans.map(([a, b]) => [Math.max(0, a), Math.min(b, segment.duration)])
        .filter(([a, b]) => b > a).slice(-100);
      if (!intervals.length) continue;
      const send = () => api("POST", `/segments/${id}/play`, { intervals }, { keepalive });
      if (keepalive) { send().catch(() => {}); continue; }  // the page is going away: now or never
      reporting = reporting.then(send).then((result) => {
        Object.assign(segment, { heard: result.heard, heard_share: result.heard_share });
        updateRow(segment);
      }, (error) => {
        if (!(error instanceof WB.ApiError) || error.status === 409) keep(id, intervals);
        if (!(error instanceof WB.ApiError)) WB.banner("bad", "No connection: the play will be sent again.");
        else if (error.status !== 409) WB.banner("bad", error.message);
      });
    }
    return reporting;
  }

  WB.followPlayer(page, player, (type) => {
    if (type === "timeupdate") listening.extend();
    if (type === "ended" || type === "pause") {
      if (type === "ended") listening.extend(player.audio.duration);
      else listening.extend();
      listening.close();
      reportPlay();
    }
  });
  setInterval(() => { if (!player.audio.paused) reportPlay(); }, 4000);
  window.addEventListener("pagehide", () => { listening.close(); reportPlay({ keepalive: true }); });

  function replaceSegment(updated) {
    dropDraft(updated.id);
    const index = page.segments.findIndex((s) => s.id === updated.id);
    page.segments[index] = updated;
    const row = page.rows.get(updated.id);
    row.text.value = updated.text;
    WB.fit(row.text);
    updateRow(updated);
    totals();
  }

  function nextUndecided() {
    const after = page.segments.findIndex((s, i) => i > page.current && !decided(s));
    if (after >= 0) select(after, { play: true });
  }

  async function acceptCurrent() {
    const segment = page.segments[page.current];
    if (!segment || !page.editable) return;
    const text = page.rows.get(segment.id).text.value;
    try {
      const updated = await api("POST", `/segments/${segment.id}/accept`,
        { text: WB.clean(text) === segment.text ? null : text });
      replaceSegment(updated);
      nextUndecided();
    } catch (error) {
      WB.banner("bad", WB.failure(error));
    }
  }

  function askComment() {
    const segment = page.segments[page.current];
    if (!segment || !page.editable) return;
    const row = page.rows.get(segment.id);
    const input = h("input", { class: "comment-input", type: "text", lang: page.task.language,
      placeholder: "What should the transcriber fix? Enter sends." });
    const send = async () => {
      const comment = input.value.trim();
      if (!comment) { input.focus(); return; }
      try {
        const updated = await api("POST", `/segments/${segment.id}/return`, { comment });
        row.comment = null;
        replaceSegment(updated);
        nextUndecided();
      } catch (error) {
        WB.banner("bad", WB.failure(error));
      }
    };
    input.addEventListener("keydown", (event) => {
      if (WB.composing(event)) return;
      if (event.key === "Enter") { event.preventDefault(); send(); }
    });
    row.comment = h("div", { class: "note comment" }, input, " ",
      h("button", { class: "btn small bad", type: "button", onclick: send }, "return"), " ",
      h("button", { class: "btn small", type: "button",
        onclick: () => { row.comment = null; updateRow(segment); row.text.focus(); } }, "cancel"));
    updateRow(segment);
    input.focus();
  }

  async function acceptAllPlayed() {
    // Accepting in bulk takes the texts as they are: a correction must go with its own accept.
    const edited = page.segments.findIndex((s) => !decided(s) && WB.clean(page.rows.get(s.id).text.value) !== s.text);
    if (edited >= 0) {
      WB.banner("bad", `Segment ${page.segments[edited].position} has a correction: accept it (Alt+A) or undo it first.`);
      select(edited, { play: false });
      return;
    }
    try {
      await reportPlay();
      const { accepted } = await api("POST", `/tasks/${taskId}/accept-all-played`);
      await load(page.current);
      WB.banner("info", `${accepted} played segment(s) accepted.`);
    } catch (error) {
      WB.banner("bad", WB.failure(error));
    }
  }

  async function finish() {
    try {
      const { task } = await api("POST", `/tasks/${taskId}/finish`);
      const at = page.current;
      page.task = task;
      page.editable = false;
      build();
      select(at, { play: false });
      WB.banner("ok", task.state === "complete" ? "Review finished: the task is complete."
        : "Review finished: the task went back to the transcriber with your comments.");
      WB.tellQueue();
    } catch (error) {
      WB.banner("bad", WB.failure(error));
    }
  }

  WB.hotkeys([
    ...WB.playerBindings(player, move),
    { keys: "Alt+A", label: "accept", match: WB.alt("KeyA"), run: () => acceptCurrent() },
    { keys: "Alt+X", label: "return with comment", match: WB.alt("KeyX"), run: () => askComment() },
  ], document.getElementById("keys"));

  document.getElementById("accept-all").addEventListener("click", acceptAllPlayed);
  document.getElementById("finish").addEventListener("click", finish);
  window.wbReviewer = page;  // for end-to-end tests and debugging
  window.wbPlayer = player;

  load().catch((error) => WB.banner("bad", error.message || "Could not load the task."));
})();
