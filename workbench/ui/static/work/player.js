// One <audio> element for the whole page: the current segment's sound. It sits in the page
// (hidden, no controls) as ``audio[data-player]``: what it plays, where and how fast is
// what the end-to-end tests read.
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

/** The listening keys both task pages bind to ``player``: play/pause, replay, back 2 s, speed. */
export function playerKeyActions(player) {
  return {
    toggle: () => player.toggle(),
    replay: () => player.replay(),
    back: () => player.back(2),
    rate: (step) => player.changeRate(step),
  };
}
