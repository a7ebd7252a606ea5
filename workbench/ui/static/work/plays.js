// The reviewer's listening: what the player really played (intervals.js) goes to the
// server, which alone decides whether a segment was heard and may be accepted. The server
// credits only the part of it that it sent this reviewer, as fast as the wall clock allows.
import { api, ApiError } from "./api.js";
import { banner } from "./banner.js";
import { PlayTracker, union, withinSegment } from "./intervals.js";
import { tr } from "./i18n.js";

// Intervals go to the server when playback pauses or ends, when the reviewer moves on, and
// every few seconds while it plays; the server answers how much of the segment now counts
// as heard. Reports go one after another, in the order played. Intervals the server could
// not take yet (the segment's audio still on its way, so not yet sent; or no connection)
// wait for the next report.
export class Plays {
  // ``segment(id)`` finds a segment; ``heard(segment)`` redraws its row after an answer;
  // ``editable()`` says whether the review may still change.
  constructor(player, { segment, heard, editable }) {
    Object.assign(this, { player, segment, heard, editable });
    this.tracker = new PlayTracker();
    this.segmentId = null;    // the segment being tracked
    this.unsent = new Map();  // segment id -> intervals
    this.reporting = Promise.resolve();
    const audio = player.audio;
    for (const type of ["playing", "seeked"]) audio.addEventListener(type, () => this.open());
    for (const type of ["seeking", "emptied"]) audio.addEventListener(type, () => this.tracker.close());
  }

  running() {
    const a = this.player.audio;
    return !a.paused && !a.seeking && this.player.segmentId === this.segmentId;
  }

  open() { this.tracker.open(this.player.audio.currentTime, this.running()); }

  // The reviewer moves to segment ``id``: what was played of the last one is reported,
  // then ``load()`` loads the new one into the player.
  track(id, load) {
    this.tracker.close();
    this.report();
    load();
    this.segmentId = id;
  }

  // The page's bookkeeping for each player event.
  follow(type) {
    const audio = this.player.audio;
    if (type === "timeupdate") this.tracker.extend(audio.currentTime, this.running());
    if (type === "ended" || type === "pause") {
      this.tracker.extend(type === "ended" ? audio.duration : audio.currentTime, this.running());
      this.tracker.close();
      this.report();
    }
  }

  keep(id, spans) { this.unsent.set(id, union([...(this.unsent.get(id) || []), ...spans])); }

  report({ keepalive = false } = {}) {
    const played = this.tracker.take();
    if (played.length && this.segmentId !== null) this.keep(this.segmentId, played);
    if (!this.editable()) this.unsent.clear();
    for (const [id, spans] of this.unsent) {
      this.unsent.delete(id);
      const segment = this.segment(id);
      if (!segment) continue;
      const intervals = withinSegment(spans, segment.duration);
      if (intervals.length) this.send(segment, intervals, keepalive);
    }
    return this.reporting;
  }

  send(segment, intervals, keepalive) {
    const send = () => api("POST", `/segments/${segment.id}/play`, { intervals }, { keepalive });
    if (keepalive) { send().catch(() => {}); return; }  // the page is going away: now or never
    this.reporting = this.reporting.then(send).then((result) => {
      Object.assign(segment, { heard: result.heard, heard_share: result.heard_share });
      this.heard(segment);
    }, (error) => {
      if (!(error instanceof ApiError) || error.status === 409) this.keep(segment.id, intervals);
      if (!(error instanceof ApiError)) banner("bad", tr("No connection: the play will be sent again."));
      else if (error.status !== 409) banner("bad", error.message);
    });
  }

  // The page is going away.
  leave() {
    this.tracker.close();
    this.report({ keepalive: true });
  }
}
