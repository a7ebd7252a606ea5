// Every URL the task pages build. Pure: nothing here touches the DOM.

// The JSON API of ui/work_api.py.
export const API = "/api/work";

// A split or merge gives a segment that keeps its id new audio: its media version (its
// span) is in every URL, so the player, the waveforms and the spectrogram fetch it anew.
export const mediaUrl = (segment, variant) =>
  `/media/segment/${segment.id}.wav?variant=${variant}&v=${segment.media_version}`;

export const spectrogramUrl = (segment) => `/media/spectrogram/${segment.id}.png?v=${segment.media_version}`;
