// One <audio> element for the whole page: the current segment's sound. It sits in the page
// (hidden, no controls) as ``audio[data-player]``: what it plays, where and how fast is
// what the end-to-end tests read.
import { leadInStart, LEAD_IN_SECONDS, resumeAt } from "./listening.js";
import { mediaUrl } from "./urls.js";

export class Player {
  constructor() {
    this.audio = document.createElement("audio");
    this.audio.preload = "auto";
    this.audio.hidden = true;
    this.audio.dataset.player = "";
    document.body.append(this.audio);
    this.segmentId = null;
    this.segment = null;
    this.variant = "clean";
    this.rate = 1;
    this.rewind = 0;        // seconds a resume after a pause goes back (the transcriber's setting)
    this.leadIn = null;     // the previous segment's tail while a lead-in plays
    this.listeners = [];
    for (const type of ["loadedmetadata", "timeupdate", "play", "pause", "ended", "seeked"]) {
      this.audio.addEventListener(type, () => this.emit(type));
    }
  }

  on(fn) { this.listeners.push(fn); }

  emit(type) { for (const fn of this.listeners) fn(type, this); }

  load(segment, { autoplay = true } = {}) {
    this.stopLeadIn();
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

  toggle() {
    if (this.leadIn) { this.stopLeadIn(); return; }
    if (this.audio.paused) this.resume(); else this.audio.pause();
  }

  // Play on after a pause, ``rewind`` seconds back (not after the end: that starts again).
  resume() {
    const a = this.audio;
    if (this.rewind && !a.ended && a.currentTime > 0) a.currentTime = resumeAt(a.currentTime, this.rewind);
    this.play();
  }

  replay() { this.stopLeadIn(); this.audio.currentTime = 0; this.play(); }

  // Plays the last second of ``previous`` (the segment before, or null) and then this
  // segment from its start: the context the sentence is said in. The tail plays in an
  // element of its own (``audio[data-lead-in]``), so the current segment stays loaded.
  playWithLeadIn(previous) {
    this.stopLeadIn();
    this.audio.pause();
    this.audio.currentTime = 0;
    if (!previous) { this.play(); return; }
    const tail = document.createElement("audio");
    tail.hidden = true;
    tail.dataset.leadIn = String(previous.id);
    tail.src = mediaUrl(previous, this.variant);
    tail.addEventListener("loadedmetadata", () => {
      tail.currentTime = leadInStart(tail.duration, LEAD_IN_SECONDS);
      tail.playbackRate = this.rate;
      tail.play().catch(() => {});
    }, { once: true });
    tail.addEventListener("ended", () => { if (this.leadIn === tail) { this.stopLeadIn(); this.play(); } });
    document.body.append(tail);
    this.leadIn = tail;
    this.emit("leadin");
  }

  stopLeadIn() {
    if (!this.leadIn) return;
    this.leadIn.pause();
    this.leadIn.remove();
    this.leadIn = null;
  }

  get looping() { return this.audio.loop; }

  // Loop the current segment, and every segment made current after it, until switched off.
  setLoop(on) {
    this.audio.loop = on;
    this.emit("loop");
  }

  back(seconds) { this.audio.currentTime = Math.max(0, this.audio.currentTime - seconds); }

  seekFraction(fraction) {
    if (Number.isFinite(this.audio.duration)) this.audio.currentTime = fraction * this.audio.duration;
  }

  changeRate(step) { this.setRate(this.rate + step); }

  setRate(rate) {
    this.rate = Math.min(2, Math.max(0.5, Math.round(rate * 4) / 4));
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

/** The listening keys both task pages bind to ``player``: play/pause, replay, back 2 s, speed. */
export function playerKeyActions(player) {
  return {
    toggle: () => player.toggle(),
    replay: () => player.replay(),
    back: () => player.back(2),
    rate: (step) => player.changeRate(step),
  };
}
