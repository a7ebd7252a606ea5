// Context listening on the transcriber's page: the settings a worker keeps in this browser,
// the speed pill's cycle, the rewind on resume and "pause while typing". Pure: nothing here
// touches the DOM or a clock (``TypingPause`` is given its timer functions).

export const REWIND_CHOICES = Object.freeze([0, 0.5, 1, 1.5, 2, 2.5, 3]);
export const LEAD_IN_SECONDS = 1;
export const TYPING_RESUME_MS = 1200;
export const DEFAULT_SETTINGS = Object.freeze({ rewind: 1, pauseWhileTyping: false });

// The stored settings (JSON, from localStorage) with anything missing or out of range at
// its default: a rewind is one of REWIND_CHOICES.
export function readSettings(raw) {
  let stored = {};
  try { stored = JSON.parse(raw) || {}; } catch (_) { stored = {}; }
  if (typeof stored !== "object" || Array.isArray(stored)) stored = {};
  return {
    rewind: REWIND_CHOICES.includes(stored.rewind) ? stored.rewind : DEFAULT_SETTINGS.rewind,
    pauseWhileTyping: stored.pauseWhileTyping === true,
  };
}

// Where playback resumes after a pause: ``rewind`` seconds back, never before the start.
export const resumeAt = (currentTime, rewind) => Math.max(0, currentTime - rewind);

// Where the lead-in starts in the previous segment's audio: its last ``seconds``.
export const leadInStart = (duration, seconds = LEAD_IN_SECONDS) => Math.max(0, duration - seconds);

export const RATES = Object.freeze([0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);

// A click on the speed pill: the next faster speed, and from the fastest back to the slowest.
export function nextRate(rate) {
  const faster = RATES.find((r) => r > rate + 1e-9);
  return faster === undefined ? RATES[0] : faster;
}

// "Pause while typing": a key typed while the audio plays pauses it; once typing has stopped
// for ``delay`` ms, the audio resumes (with the rewind) if it was typing that paused it.
// ``player`` has ``playing()``, ``pause()`` and ``resume()``; ``timers`` has ``set(fn, ms)``
// and ``clear(handle)``.
export class TypingPause {
  constructor(player, timers, { enabled = () => true, delay = TYPING_RESUME_MS } = {}) {
    Object.assign(this, { player, timers, enabled, delay });
    this.paused = false;  // whether typing paused the audio
    this.timer = null;
  }

  typed() {
    if (!this.enabled()) return;
    if (this.player.playing()) {
      this.player.pause();
      this.paused = true;
    }
    if (!this.paused) return;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => this.settled(), this.delay);
  }

  settled() {
    this.timer = null;
    if (this.paused && !this.player.playing()) this.player.resume();
    this.paused = false;
  }

  // The worker took over (played, paused or moved): typing no longer resumes anything.
  forget() {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.paused = false;
  }
}
