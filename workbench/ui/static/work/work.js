// Shared by the transcriber and reviewer task views: JSON calls, the player,
// waveforms, segment rows and hotkeys. The pages themselves live in
// transcriber.js and reviewer.js.
"use strict";

const WB = (() => {
  const API = "/api/work";

  class ApiError extends Error {
    constructor(status, body) {
      super(body.detail || `The server answered ${status}.`);
      this.status = status;
      this.body = body;
    }
  }

  // The session ended (signed out elsewhere, expired, closed by an admin): every call
  // answers 401 until the user signs in again in this browser. The page says so at once
  // and keeps saying so; it is the pages' job to keep what was typed and send it again.
  // ``onChange`` lets a page redraw what depends on it (the transcriber's save state).
  const session = { signedOut: false, onChange: () => {} };

  function showSignedOut() {
    banner("bad signed-out",
      "You are signed out — your text is kept in this browser; sign in again to save. ",
      h("a", { href: "/login", target: "_blank", rel: "noopener" }, "Sign in (opens a new tab)"),
      " and come back: what you typed is sent then.");
  }

  // A failed fetch (no connection) rejects with a TypeError, never an ApiError:
  // callers tell "offline, keep it locally" from "refused" that way.
  async function api(method, path, body, { keepalive = false } = {}) {
    const init = { method, credentials: "same-origin", keepalive, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(API + path, init);
    let data = {};
    try { data = await response.json(); } catch (_) { /* empty body */ }
    if (response.status === 401) {
      session.signedOut = true;
      showSignedOut();
      session.onChange();
    } else if (session.signedOut) {
      session.signedOut = false;
      banner("ok", "Signed in again.");
      session.onChange();
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (name === "class") el.className = value;
      else el.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        el.append(child instanceof Node ? child : String(child));
      }
    }
    return el;
  }

  function clock(seconds) {
    const m = Math.floor(seconds / 60);
    const s = seconds - m * 60;
    return `${m}:${s.toFixed(1).padStart(4, "0")}`;
  }

  // A split or merge gives a segment that keeps its id new audio: its media version (its
  // span) is in every URL, so the player, the waveforms and the spectrogram fetch it anew.
  const mediaUrl = (segment, variant) =>
    `/media/segment/${segment.id}.wav?variant=${variant}&v=${segment.media_version}`;
  const spectrogramUrl = (segment) => `/media/spectrogram/${segment.id}.png?v=${segment.media_version}`;

  // One <audio> element for the whole page: the current segment's sound.
  class Player {
    constructor() {
      this.audio = new Audio();
      this.audio.preload = "auto";
      this.segmentId = null;
      this.segment = null;
      this.variant = "clean";
      this.rate = 1;
      this.listeners = [];
      for (const type of ["loadedmetadata", "timeupdate", "play", "pause", "ended", "seeked"]) {
        this.audio.addEventListener(type, () => this.emit(type));
      }
    }
    on(fn) { this.listeners.push(fn); }
    emit(type) { for (const fn of this.listeners) fn(type, this); }
    load(segment, { autoplay = true } = {}) {
      this.segmentId = segment.id;
      this.segment = segment;
      this.audio.src = mediaUrl(segment, this.variant);
      this.audio.defaultPlaybackRate = this.rate;
      this.audio.playbackRate = this.rate;
      if (autoplay) this.play();
    }
    play() {
      this.audio.playbackRate = this.rate;
      // Autoplay may be refused until the user has interacted: not an error.
      this.audio.play().catch(() => {});
    }
    toggle() { if (this.audio.paused) this.play(); else this.audio.pause(); }
    replay() { this.audio.currentTime = 0; this.play(); }
    back(seconds) { this.audio.currentTime = Math.max(0, this.audio.currentTime - seconds); }
    seekFraction(fraction) {
      if (Number.isFinite(this.audio.duration)) this.audio.currentTime = fraction * this.audio.duration;
    }
    changeRate(step) {
      this.rate = Math.min(2, Math.max(0.5, Math.round((this.rate + step) * 4) / 4));
      this.audio.playbackRate = this.rate;
      this.audio.defaultPlaybackRate = this.rate;
      this.emit("rate");
    }
    setVariant(variant) {
      if (variant === this.variant) return;
      const at = this.audio.currentTime;
      const wasPlaying = !this.audio.paused;
      this.variant = variant;
      if (this.segment === null) return;
      this.audio.src = mediaUrl(this.segment, variant);
      this.audio.addEventListener("loadedmetadata", () => {
        this.audio.currentTime = at;
        if (wasPlaying) this.play();
      }, { once: true });
      this.emit("variant");
    }
    get fraction() {
      const d = this.audio.duration;
      return Number.isFinite(d) && d > 0 ? this.audio.currentTime / d : 0;
    }
  }

  // Waveforms are drawn from the decoded audio, lazily as rows scroll into view,
  // a few downloads at a time so a 200-segment task does not flood the server.
  const waveforms = (() => {
    const peaks = new Map();  // media URL -> peaks
    const waiting = [];
    let running = 0;
    let context = null;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        waiting.push(entry.target);
      }
      pump();
    }, { rootMargin: "300px" });

    function pump() {
      while (running < 3 && waiting.length) {
        const canvas = waiting.shift();
        running += 1;
        load(canvas).finally(() => { running -= 1; pump(); });
      }
    }

    async function load(canvas) {
      const url = canvas.dataset.audio;
      if (!peaks.has(url)) {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) return;
        context = context || new (window.AudioContext || window.webkitAudioContext)();
        try {
          const buffer = await context.decodeAudioData(await response.arrayBuffer());
          peaks.set(url, summarise(buffer.getChannelData(0), 150));
        } catch (_) {
          return;  // undecodable audio: the row simply has no waveform
        }
      }
      draw(canvas, 0);
    }

    function summarise(samples, bins) {
      const out = new Float32Array(bins);
      const size = Math.max(1, Math.floor(samples.length / bins));
      let top = 1e-6;
      for (let b = 0; b < bins; b++) {
        let peak = 0;
        for (let i = b * size; i < Math.min(samples.length, (b + 1) * size); i++) {
          const v = Math.abs(samples[i]);
          if (v > peak) peak = v;
        }
        out[b] = peak;
        top = Math.max(top, peak);
      }
      return out.map((v) => v / top);
    }

    function draw(canvas, fraction) {
      const values = peaks.get(canvas.dataset.audio);
      const ratio = window.devicePixelRatio || 1;
      const width = canvas.clientWidth * ratio;
      const height = canvas.clientHeight * ratio;
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      const g = canvas.getContext("2d");
      g.clearRect(0, 0, width, height);
      if (!values) return;
      const step = width / values.length;
      const played = fraction * width;
      for (let i = 0; i < values.length; i++) {
        const x = i * step;
        const bar = Math.max(1, values[i] * (height - 4));
        g.fillStyle = x < played ? "#2563eb" : "#9ca3af";
        g.fillRect(x, (height - bar) / 2, Math.max(1, step - ratio), bar);
      }
      if (fraction > 0) {
        g.fillStyle = "#1d4ed8";
        g.fillRect(played, 0, ratio * 1.5, height);
      }
    }

    return { watch: (canvas) => observer.observe(canvas), draw };
  })();

  // The hotkey table is the single source for both the handler and the legend.
  // While an IME composes (Hangul, pinyin, kana) every key belongs to it. Some platforms
  // report only keyCode 229 ("Process") for those keys.
  const composing = (event) => event.isComposing || event.keyCode === 229;

  function hotkeys(bindings, legend) {
    document.addEventListener("keydown", (event) => {
      if (composing(event)) return;
      const binding = bindings.find((b) => b.match(event));
      if (!binding) return;
      event.preventDefault();
      binding.run(event);
    }, true);
    legend.replaceChildren(...bindings.map((b) => h("span", {},
      ...b.keys.split(" / ").flatMap((k, i) => (i ? [" / ", h("kbd", {}, k)] : [h("kbd", {}, k)])),
      " ", b.label)));
  }

  const alt = (code) => (e) => e.altKey && !e.ctrlKey && !e.metaKey && e.code === code;
  const plain = (key, { shift = false } = {}) => (e) =>
    e.key === key && e.shiftKey === shift && !e.altKey && !e.ctrlKey && !e.metaKey;

  // Bindings both pages share: moving and playing.
  function playerBindings(player, move) {
    return [
      { keys: "Esc", label: "play / pause", match: plain("Escape"), run: () => player.toggle() },
      { keys: "Alt+R", label: "replay", match: alt("KeyR"), run: () => player.replay() },
      { keys: "Alt+B", label: "back 2 s", match: alt("KeyB"), run: () => player.back(2) },
      { keys: "Alt+, / Alt+.", label: "slower / faster",
        match: (e) => alt("Comma")(e) || alt("Period")(e),
        run: (e) => player.changeRate(e.code === "Comma" ? -0.25 : 0.25) },
      { keys: "Enter / Alt+↓", label: "next",
        match: (e) => (plain("Enter")(e) && e.target.classList.contains("seg-text")) || alt("ArrowDown")(e),
        run: () => move(1) },
      { keys: "Shift+Enter / Alt+↑", label: "previous",
        match: (e) => (plain("Enter", { shift: true })(e) && e.target.classList.contains("seg-text"))
          || alt("ArrowUp")(e),
        run: () => move(-1) },
    ];
  }

  // The server stores a sentence NFC-normalised on one line without outer spaces
  // (workflow.transcribing.clean_text); comparing in that form avoids pointless saves.
  const clean = (text) => text.normalize("NFC").split(/\s+/).filter(Boolean).join(" ");

  // Grows a textarea to fit its sentence without ever touching its value.
  function fit(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 2}px`;
  }

  const statusLabels = {
    todo: "to do", saved: "saved", no_speech: "no speech",
    returned: "returned", accepted: "accepted",
  };

  // Buttons that must not take the focus away from the text box.
  const keepFocus = (event) => event.preventDefault();

  // What every segment row has on both pages: position and time, the waveform (click
  // to play from there), the play button and the current row's player tools.
  // ``pick(play)`` makes the row current.
  function rowParts(segment, player, pick) {
    const meta = h("div", { class: "seg-meta" }, h("b", {}, `#${segment.position}`), h("br"),
      clock(segment.start), h("br"), `${segment.duration.toFixed(1)} s`);
    const wave = h("canvas", { class: "seg-wave", "data-segment": segment.id, "data-audio": mediaUrl(segment, "clean"),
      title: "Click to play from here" });
    wave.addEventListener("click", (event) => {
      pick(true);
      const fraction = event.offsetX / wave.clientWidth;
      if (player.audio.readyState > 0) player.seekFraction(fraction);
      else player.audio.addEventListener("loadedmetadata", () => player.seekFraction(fraction), { once: true });
    });
    waveforms.watch(wave);
    const play = h("button", { class: "btn small", type: "button", title: "Play (Esc)", "aria-label": "Play",
      onmousedown: keepFocus, onclick: () => { pick(false); player.toggle(); } }, "▶");
    const tools = h("div", { class: "seg-tools" },
      h("span", { class: "playhead", title: "Where the playhead is (split cuts here)" }),
      h("button", { class: "btn small variant", type: "button", onmousedown: keepFocus,
        onclick: () => player.setVariant(player.variant === "clean" ? "original" : "clean") }, "clean"),
      h("button", { class: "btn small rate", type: "button", title: "Alt+, / Alt+.", onmousedown: keepFocus }, "1×"),
      h("button", { class: "btn small", type: "button", onmousedown: keepFocus,
        onclick: (event) => toggleSpectrogram(event.target.closest(".seg"), segment) }, "spectrogram"));
    return { meta, wave, play, tools };
  }

  function toggleSpectrogram(row, segment) {
    const shown = row.querySelector(".seg-spectrogram");
    if (shown) shown.remove();
    else row.append(h("img", { class: "seg-spectrogram", src: spectrogramUrl(segment), alt: "Spectrogram" }));
  }

  // The current row's tools say which audio plays and how fast.
  function showPlayer(tools, player) {
    const variant = tools.querySelector(".variant");
    variant.textContent = player.variant === "clean" ? "clean ⇄ original" : "original ⇄ clean";
    variant.classList.toggle("on", player.variant === "original");
    tools.querySelector(".rate").textContent = `${player.rate}×`;
    const { currentTime, duration } = player.audio;
    tools.querySelector(".playhead").textContent =
      `${currentTime.toFixed(1)} / ${Number.isFinite(duration) ? duration.toFixed(1) : "–"} s`;
  }

  // The current row on both pages. ``page`` holds ``segments``, ``rows`` (segment id ->
  // {li, wave, tools}) and ``current`` (an index, -1 for none).
  function makeCurrent(page, index, player, { play }) {
    const old = page.segments[page.current];
    if (old) {
      page.rows.get(old.id).li.classList.remove("current");
      waveforms.draw(page.rows.get(old.id).wave, 0);
    }
    page.current = index;
    const segment = page.segments[index];
    const row = page.rows.get(segment.id);
    row.li.classList.add("current");
    row.li.scrollIntoView({ block: "nearest" });
    player.load(segment, { autoplay: play });
    showPlayer(row.tools, player);
  }

  // Keeps the current row's tools and waveform in step with the player;
  // ``also(type)`` is the page's own bookkeeping for each player event.
  function followPlayer(page, player, also = () => {}) {
    player.on((type) => {
      const segment = page.segments[page.current];
      if (!segment || player.segmentId !== segment.id) return;
      const row = page.rows.get(segment.id);
      showPlayer(row.tools, player);
      also(type);
      waveforms.draw(row.wave, type === "ended" ? 0 : player.fraction);
    });
  }

  // While signed out, that stays the message: nothing else the page says matters as much.
  function banner(kind, ...content) {
    if (session.signedOut && !kind.includes("signed-out")) return;
    const el = document.getElementById("banner");
    el.className = `banner ${kind}`;
    el.replaceChildren(...content);
  }

  // The message for a failed call: the server's own, or the connection's.
  const failure = (error) => (error instanceof ApiError ? error.message : "No connection: try again in a moment.");

  // The Gradio page around the frame refreshes its queue with this button.
  function tellQueue() {
    const id = `wb-refresh-${document.body.dataset.role}`;
    const button = window.parent.document.querySelector(`button#${id}, #${id} button`);
    if (button) button.click();
  }

  return {
    api, ApiError, session, h, clock, Player, hotkeys, composing, alt, plain, playerBindings, keepFocus, rowParts,
    makeCurrent, followPlayer, banner, failure, fit, clean, statusLabels, tellQueue,
  };
})();
