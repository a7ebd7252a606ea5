// The transcriber's task view. Text is saved as it is typed (debounced, with the
// version it was based on) and kept as a per-segment draft in localStorage until
// the server has it, so a reload, a closed tab, a dropped connection or an ended
// session loses nothing. The header says "all saved" only when the server has it all.
// The task and segment being worked on are remembered per user, so a reload (of this
// frame or of the whole app) reopens them.
// The textarea's value is only ever set when a row is built or when the user picks
// a side of a conflict, never while typing: that is what keeps an IME's syllable intact.
"use strict";

(() => {
  const { api, h } = WB;
  const taskId = Number(document.body.dataset.task);
  const SAVE_DELAY_MS = 700;
  const RETRY_MS = 5000;
  const EDITABLE_STATES = ["open", "in_progress", "returned"];

  const player = new WB.Player();
  const page = {
    task: null,
    segments: [],
    rows: new Map(),        // segment id -> {li, text, badge, notes, wave, tools}
    saves: new Map(),       // segment id -> {timer, inflight, again, state, conflict, error}
                            // state: idle | pending | saving | offline | signed_out | conflict
    current: -1,
    editable: false,
    checked: false,         // the user asked for the problems (Check or Submit)
    composing: null,        // the segment id an input method is composing in
    reasons: [],            // why a segment may be marked no speech, in hotkey order
  };

  const draftKey = (id) => `wb-draft:${id}`;
  function readDraft(id) {
    try { return JSON.parse(localStorage.getItem(draftKey(id))); } catch (_) { return null; }
  }
  function writeDraft(segment, text) {
    localStorage.setItem(draftKey(segment.id), JSON.stringify({ text, base: segment.version }));
  }
  // Tabs share localStorage: a save only clears the draft it actually saved, never
  // another tab's different text for the same segment.
  function dropDraft(id, saved = null) {
    const draft = readDraft(id);
    if (saved === null || (draft && WB.clean(draft.text) === saved)) localStorage.removeItem(draftKey(id));
  }

  // Where this user is working: {task, segment, round} under their username in
  // "wb-place", read again by this page on load and by the app's queue
  // (ui/transcriber.py) to pick the task to open. A task back from review starts at its
  // first returned segment instead: the place belongs to the earlier round.
  const PLACE_KEY = "wb-place";
  function readPlaces() {
    try { return JSON.parse(localStorage.getItem(PLACE_KEY)) || {}; } catch (_) { return {}; }
  }
  function rememberPlace(segment) {
    const user = page.task && page.task.transcriber;
    if (!user || !page.editable) return;
    const places = readPlaces();
    places[user] = { task: taskId, segment: segment.id, round: page.task.review_round };
    try { localStorage.setItem(PLACE_KEY, JSON.stringify(places)); } catch (_) { /* storage full */ }
  }
  function rememberedSegment() {
    const place = readPlaces()[page.task.transcriber];
    const same = place && place.task === taskId && place.round === page.task.review_round;
    return same ? page.segments.findIndex((s) => s.id === place.segment) : -1;
  }

  const saveOf = (id) => {
    if (!page.saves.has(id)) page.saves.set(id, { timer: null, inflight: false, again: false, state: "idle" });
    return page.saves.get(id);
  };
  const segmentById = (id) => page.segments.find((s) => s.id === id);

  // ---- loading and building -------------------------------------------------

  async function load(focusIndex = null) {
    const data = await api("GET", `/tasks/${taskId}`);
    page.task = data.task;
    page.segments = data.segments;
    page.reasons = data.no_speech_reasons;
    page.editable = EDITABLE_STATES.includes(page.task.state);
    for (const id of page.saves.keys()) if (!segmentById(id)) page.saves.delete(id);  // merged away
    build();
    restoreDrafts();
    const firstOf = (status) => page.segments.findIndex((s) => s.status === status);
    const remembered = rememberedSegment();
    const first = focusIndex ?? (remembered >= 0 ? remembered
      : Math.max(0, firstOf("returned") >= 0 ? firstOf("returned") : firstOf("todo")));
    if (page.segments.length) select(Math.min(first, page.segments.length - 1), { play: false });
  }

  function build() {
    const t = page.task;
    document.getElementById("title").textContent = t.clip_name;
    document.getElementById("meta").textContent = `${t.language} · ${t.project} · ${t.state.replace("_", " ")}`;
    document.getElementById("submit").disabled = !page.editable;
    document.getElementById("check").disabled = !page.editable;
    if (!page.editable) WB.banner("info", `This task is ${t.state.replace("_", " ")}: it is read-only.`);
    page.rows.clear();
    page.current = -1;
    const list = document.getElementById("segments");
    list.replaceChildren(...page.segments.map(buildRow));
    for (const s of page.segments) updateRow(s);
    for (const row of page.rows.values()) WB.fit(row.text);
    progress();
  }

  function buildRow(segment, index) {
    const editable = page.editable && segment.status !== "accepted";  // accepted text is final
    const text = h("textarea", {
      class: "seg-text", rows: 1, lang: page.task.language, spellcheck: "false",
      "aria-label": `Sentence ${segment.position}`, readonly: !editable,
      placeholder: "Type the one sentence you hear",
    });
    text.value = segment.text;
    text.addEventListener("focus", () => select(index, { play: true, focus: false }));
    text.addEventListener("input", (event) => {
      WB.fit(text);
      writeDraft(segmentById(segment.id), text.value);
      if (!event.isComposing) scheduleSave(segment.id);
    });
    text.addEventListener("compositionstart", () => { page.composing = segment.id; });
    text.addEventListener("compositionend", () => {
      page.composing = null;
      writeDraft(segmentById(segment.id), text.value);
      scheduleSave(segment.id);
    });
    const { meta, wave, play, tools } = WB.rowParts(segment, player, (autoplay) => select(index, { play: autoplay }));
    const badge = h("span", { class: "badge" });
    const notes = h("div", { class: "seg-notes" });
    const editing = (label, action, enabled = editable) => h("button", {
      class: "btn small", type: "button", disabled: !enabled, onmousedown: WB.keepFocus, onclick: action }, label);
    tools.append(
      editing("no speech", () => { select(index, { play: false, focus: false }); openReasons(); }),
      editing("split here", () => splitHere()),
      editing("merge with next", () => mergeNext(), editable && index < page.segments.length - 1));
    const li = h("li", { class: "seg", "data-id": segment.id },
      meta, wave, text, h("div", { class: "seg-side" }, badge, play), tools, notes);
    page.rows.set(segment.id, { li, text, badge, notes, wave, tools });
    return li;
  }

  // Status, notes and highlight of one row; never its text.
  function updateRow(segment) {
    const row = page.rows.get(segment.id);
    const save = saveOf(segment.id);
    row.li.classList.toggle("no-speech", segment.status === "no_speech");
    const pending = { pending: "unsaved", saving: "saving…", offline: "kept offline", signed_out: "not saved",
      conflict: "conflict" }[save.state];
    row.badge.className = `badge ${pending ? "pending" : segment.status}`;
    row.badge.textContent = pending || WB.statusLabels[segment.status] || segment.status;
    const notes = [];
    if (segment.review_comment && segment.status === "returned") {
      notes.push(h("div", { class: "note comment" }, `Reviewer: ${segment.review_comment}`));
    }
    if (segment.status === "no_speech") {
      notes.push(h("div", { class: "note warning" }, `No speech${segment.no_speech_reason ? `: ${segment.no_speech_reason}` : ""}. Type text to undo.`));
    }
    for (const p of segment.problems || []) {
      // An untouched segment is obviously empty: say so only once the user checks.
      if (p.rule === "empty-text" && segment.status === "todo" && !page.checked) continue;
      notes.push(h("div", { class: `note ${p.severity}` }, p.message));
    }
    if (save.error) notes.push(h("div", { class: "note error" }, save.error));
    if (save.conflict) notes.push(conflictNote(segment, save.conflict));
    row.notes.replaceChildren(...notes);
  }

  function conflictNote(segment, theirs) {
    const row = page.rows.get(segment.id);
    return h("div", { class: "note conflict", role: "alert" },
      "This sentence was changed elsewhere (another tab or device) since you started typing.",
      h("div", {}, "Saved there:"), h("q", { class: "theirs" }, theirs.text || "(empty)"),
      h("div", {}, "Yours:"), h("q", { class: "mine" }, row.text.value || "(empty)"),
      h("button", { class: "btn small primary", type: "button", onclick: () => resolveConflict(segment.id, "mine") }, "Keep mine"),
      " ",
      h("button", { class: "btn small", type: "button", onclick: () => resolveConflict(segment.id, "theirs") }, "Use the saved text"));
  }

  function progress() {
    const done = page.segments.filter((s) => ["saved", "no_speech", "accepted"].includes(s.status)).length;
    const returned = page.segments.filter((s) => s.status === "returned").length;
    const meter = document.getElementById("meter");
    meter.max = page.segments.length || 1;
    meter.value = done;
    document.getElementById("count").textContent =
      `${done} / ${page.segments.length} done${returned ? ` · ${returned} returned` : ""}`;
    const states = [...page.saves.values()].map((s) => s.state);
    const box = document.getElementById("save-state");
    const offline = states.filter((s) => s === "offline").length;
    const conflicts = states.filter((s) => s === "conflict").length;
    const unsent = states.filter((s) => s === "signed_out").length;
    const signedOut = WB.session.signedOut;
    box.classList.toggle("bad", Boolean(offline || conflicts || signedOut));
    box.textContent = signedOut ? `signed out: ${unsent} not saved, kept on this device`
      : conflicts ? `${conflicts} conflict${conflicts > 1 ? "s" : ""} to resolve`
        : offline ? `offline: ${offline} kept on this device`
          : states.some((s) => s === "saving" || s === "pending") ? "saving…" : "all saved";
  }

  // ---- moving and playing ---------------------------------------------------

  function select(index, { play = true, focus = true } = {}) {
    if (index < 0 || index >= page.segments.length) return;
    const row = page.rows.get(page.segments[index].id);
    if (index !== page.current) {
      closeReasons();  // the choice belongs to the row it was opened on
      WB.makeCurrent(page, index, player, { play });
      rememberPlace(page.segments[index]);
    }
    if (focus && document.activeElement !== row.text) {
      row.text.focus({ preventScroll: true });
      row.text.setSelectionRange(row.text.value.length, row.text.value.length);
    }
  }

  const move = (delta) => select(page.current + delta, { play: true });

  WB.followPlayer(page, player);
  WB.session.onChange = progress;

  // ---- saving ------------------------------------------------------------------

  function scheduleSave(id, delay = SAVE_DELAY_MS) {
    const save = saveOf(id);
    if (save.state === "conflict") return;  // the user decides first
    clearTimeout(save.timer);
    save.state = save.inflight ? save.state : "pending";
    save.timer = setTimeout(() => saveNow(id), delay);
    updateRow(segmentById(id));
    progress();
  }

  async function saveNow(id, { keepalive = false } = {}) {
    const save = saveOf(id);
    clearTimeout(save.timer);
    save.timer = null;
    if (save.inflight) { save.again = true; return; }
    if (page.composing === id) return;  // half a syllable is not a sentence: compositionend saves
    const segment = segmentById(id);
    const text = page.rows.get(id).text.value;
    if (WB.clean(text) === segment.text) {
      save.state = "idle";
      dropDraft(id, segment.text);
      updateRow(segment);
      progress();
      return;
    }
    save.inflight = true;
    save.state = "saving";
    save.error = null;
    updateRow(segment);
    progress();  // the page-wide "all saved" must not stand while this save is on its way
    try {
      const updated = await api("PUT", `/segments/${id}/text`, { text, base_version: segment.version }, { keepalive });
      accept(updated);
      const now = page.rows.get(id).text.value;
      const settled = WB.clean(now) === updated.text;
      if (settled) dropDraft(id, updated.text); else writeDraft(updated, now);
      save.state = settled ? "idle" : "pending";
      save.again = !settled;
    } catch (error) {
      const current = error instanceof WB.ApiError && error.status === 409 ? error.body.current : null;
      if (current && WB.clean(page.rows.get(id).text.value) === current.text) {
        accept(current);  // the other tab saved the very same sentence: nothing to choose
        dropDraft(id, current.text);
        save.state = "idle";
      } else if (current) {
        save.state = "conflict";
        save.conflict = current;
      } else if (error instanceof WB.ApiError && error.status === 401) {
        save.state = "signed_out";  // the draft stays; sent again once signed in (retryUnsent)
      } else if (error instanceof WB.ApiError && error.status < 500) {
        save.state = "idle";
        save.error = error.message;
      } else {  // no connection, or a server that is restarting: keep it and retry
        save.state = "offline";
      }
    } finally {
      save.inflight = false;
      updateRow(segmentById(id));
      progress();
      if (save.again && save.state !== "conflict") {
        save.again = false;
        scheduleSave(id, 0);
      }
    }
  }

  // Takes the server's copy of a segment without touching what is in its textarea.
  function accept(updated) {
    const index = page.segments.findIndex((s) => s.id === updated.id);
    page.segments[index] = updated;
    updateRow(updated);
    progress();
  }

  function resolveConflict(id, side) {
    const save = saveOf(id);
    const theirs = save.conflict;
    save.conflict = null;
    save.state = "idle";
    accept(theirs);  // the row's status and the page's progress follow the saved text
    const row = page.rows.get(id);
    if (side === "theirs") {
      row.text.value = theirs.text;
      WB.fit(row.text);
      dropDraft(id);
    } else {
      writeDraft(theirs, row.text.value);
      saveNow(id);
    }
    row.text.focus();
  }

  // A draft left by a reload, a closed tab or a lost connection goes back to the
  // server if nothing changed there meanwhile; otherwise the user chooses.
  function restoreDrafts() {
    for (const segment of page.segments) {
      const draft = readDraft(segment.id);
      if (!draft) continue;
      if (WB.clean(draft.text) === segment.text || !page.editable) { dropDraft(segment.id); continue; }
      const row = page.rows.get(segment.id);
      row.text.value = draft.text;
      WB.fit(row.text);
      if (draft.base === segment.version) {
        scheduleSave(segment.id, 0);
      } else {
        const save = saveOf(segment.id);
        save.state = "conflict";
        save.conflict = segment;
        updateRow(segment);
      }
    }
    progress();
  }

  // Offline text goes out when the connection returns; text refused for an ended session
  // once the user has signed in again (in another tab), noticed when they come back here
  // or at the next retry.
  function retryUnsent() {
    for (const [id, save] of page.saves) if (["offline", "signed_out"].includes(save.state)) saveNow(id);
  }
  window.addEventListener("online", retryUnsent);
  window.addEventListener("focus", retryUnsent);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) retryUnsent(); });
  setInterval(retryUnsent, RETRY_MS);

  // Closing the tab: whatever is still waiting goes out; the drafts stay anyway.
  window.addEventListener("pagehide", () => {
    for (const [id, save] of page.saves) if (save.state === "pending") saveNow(id, { keepalive: true });
  });

  async function flushSaves() {
    const waiting = [...page.saves].filter(([, s]) => ["pending", "offline", "signed_out"].includes(s.state));
    await Promise.all(waiting.map(([id]) => saveNow(id)));
    while ([...page.saves.values()].some((s) => s.inflight)) await new Promise((r) => setTimeout(r, 50));
  }

  // ---- segment actions ---------------------------------------------------------

  async function act(request, { reload = false } = {}) {
    if (!page.editable) return;
    const index = page.current;
    try {
      await flushSaves();
      const result = await request(page.segments[index]);
      if (reload) {
        await load(index);
      } else {
        accept(result);
        const row = page.rows.get(result.id);
        row.text.value = result.text;
        WB.fit(row.text);
        dropDraft(result.id);
      }
    } catch (error) {
      WB.banner("bad", WB.failure(error));
    }
  }

  const markNoSpeech = (reason) => act((s) => api("POST", `/segments/${s.id}/no-speech`,
    { reason, base_version: s.version }));

  // "No speech" needs a reason (guidelines, section 7): Alt+N or the row's button opens
  // a choice under the current row, answered with a digit key or a click; Esc or any
  // other key closes it (the other key then does what it always does). Focus stays in
  // the text box throughout.
  let reasonBar = null;  // the open choice, if any
  function openReasons() {
    if (!page.editable || page.current < 0) return;
    closeReasons();
    const row = page.rows.get(page.segments[page.current].id);
    const reasons = page.reasons.map((reason, i) => h("button", {
      class: "btn small", type: "button", onmousedown: WB.keepFocus,
      onclick: () => chooseReason(reason) }, h("kbd", {}, String(i + 1)), ` ${reason}`));
    reasonBar = h("div", { class: "reasons", role: "group", "aria-label": "Why is there no speech?" },
      h("span", {}, "No speech because:"), ...reasons, h("span", { class: "hint" }, h("kbd", {}, "Esc"), " cancels"));
    row.li.append(reasonBar);
  }
  function closeReasons() {
    if (reasonBar) reasonBar.remove();
    reasonBar = null;
  }
  function chooseReason(reason) {
    closeReasons();
    markNoSpeech(reason);
  }
  // Registered on window in the capture phase, so it answers before the page's hotkeys.
  window.addEventListener("keydown", (event) => {
    if (!reasonBar || WB.composing(event)) return;
    const choice = /^[1-9]$/.test(event.key) && !event.altKey && !event.ctrlKey && !event.metaKey
      ? page.reasons[Number(event.key) - 1] : undefined;
    if (choice !== undefined || event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (choice !== undefined) chooseReason(choice); else closeReasons();
    } else if (!["Shift", "Alt", "Control", "Meta"].includes(event.key)) {
      closeReasons();
    }
  }, true);

  const splitHere = () => act((s) => api("POST", `/segments/${s.id}/split`,
    { at: s.start + player.audio.currentTime }), { reload: true });

  const mergeNext = () => act((s) => api("POST", `/segments/${s.id}/merge`), { reload: true });

  function showProblems(problems) {
    page.checked = true;
    const bySegment = new Map();
    for (const p of problems) {
      if (!bySegment.has(p.segment_id)) bySegment.set(p.segment_id, []);
      bySegment.get(p.segment_id).push(p);
    }
    for (const segment of page.segments) {
      segment.problems = bySegment.get(segment.id) || [];
      updateRow(segment);
    }
    return page.segments.findIndex((s) => s.problems.some((p) => p.severity === "error"));
  }

  async function check() {
    try {
      await flushSaves();
      const { problems } = await api("GET", `/tasks/${taskId}/problems`);
      showProblems(problems);
      const errors = problems.filter((p) => p.severity === "error").length;
      WB.banner(errors ? "bad" : "info", problems.length
        ? `${errors} error(s) and ${problems.length - errors} warning(s), shown on their segments.`
        : "No problems found.");
    } catch (error) {
      WB.banner("bad", WB.failure(error));
    }
  }

  async function submit() {
    await flushSaves();
    const unsettled = [...page.saves.values()].filter((s) => ["offline", "signed_out", "conflict"].includes(s.state)).length;
    if (unsettled) {
      WB.banner("bad", `${unsettled} sentence(s) are not saved yet (offline, signed out or in conflict): settle them first.`);
      return;
    }
    try {
      const result = await api("POST", `/tasks/${taskId}/submit`);
      await load(page.current);  // read-only now, with the warnings that remain
      WB.banner("ok", `Submitted for review${result.problems.length ? ` with ${result.problems.length} warning(s)` : ""}.`);
      WB.tellQueue();
    } catch (error) {
      if (error instanceof WB.ApiError && error.body.problems) {
        const first = showProblems(error.body.problems);
        const errors = error.body.problems.filter((p) => p.severity === "error").length;
        WB.banner("bad", `Not submitted: ${errors} error(s) must be fixed first; they are marked on their segments.`);
        if (first >= 0) select(first, { play: false });
      } else {
        WB.banner("bad", WB.failure(error));
      }
    }
  }

  // ---- wiring --------------------------------------------------------------------

  WB.hotkeys([
    ...WB.playerBindings(player, move),
    { keys: "Alt+N", label: "no speech (then 1–4)", match: WB.alt("KeyN"), run: () => (reasonBar ? closeReasons() : openReasons()) },
    { keys: "Alt+S", label: "split at playhead", match: WB.alt("KeyS"), run: () => splitHere() },
    { keys: "Alt+M", label: "merge with next", match: WB.alt("KeyM"), run: () => mergeNext() },
  ], document.getElementById("keys"));

  document.getElementById("check").addEventListener("click", check);
  document.getElementById("submit").addEventListener("click", submit);
  window.wbTranscriber = page;  // for end-to-end tests and debugging
  window.wbPlayer = player;

  load().catch((error) => WB.banner("bad", error.message || "Could not load the task."));
})();
