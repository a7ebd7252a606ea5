// The whole-clip timeline above the rows: the clip's waveform outline (peaks computed once
// by the server, /media/peaks/<task>.json: the clip's audio is never downloaded for it),
// every segment a region, the current one highlighted. Clicking a region goes to it; on
// the transcriber's page the current segment's edges can be dragged. Drawn by wavesurfer.js
// and its regions plugin, installed from npm and served by the app (ui/vendor.py); when
// they are not installed the timeline stays hidden and the page works without it.
import { draggedEdge, regionsOf, scrollTimeFor } from "./timeline.js";
import { tr } from "./i18n.js";

const COLOURS = { current: "rgba(37, 99, 235, 0.32)", other: "rgba(21, 128, 61, 0.13)" };
const EDGES = { current: "rgba(37, 99, 235, 0.9)", other: "rgba(21, 128, 61, 0.45)" };
// Seconds of clip the timeline shows at once before it scrolls (the whole clip when shorter).
const VISIBLE_SECONDS = 90;

// ``pick(index)`` makes a segment current; ``drag(segment, edge, to)`` asks to move an edge.
export async function installTimeline(container, taskId, { pick, drag }) {
  let WaveSurfer;
  let RegionsPlugin;
  let outline;
  try {
    [{ default: WaveSurfer }, { default: RegionsPlugin }] = await Promise.all([
      import("wavesurfer"), import("wavesurfer/regions")]);
    const response = await fetch(`/media/peaks/${taskId}.json`, { credentials: "same-origin" });
    if (!response.ok) return null;
    outline = await response.json();
  } catch (_) {
    return null;  // not installed (no import-map entry) or no processed audio: no timeline
  }
  container.hidden = false;
  const regions = RegionsPlugin.create();
  const width = () => container.clientWidth || 800;
  const wave = WaveSurfer.create({
    container, height: 56, peaks: [outline.peaks], duration: outline.duration, interact: false,
    cursorWidth: 0, waveColor: "#b6bcc6", progressColor: "#b6bcc6", normalize: true,
    minPxPerSec: Math.max(1, width() / Math.min(outline.duration, VISIBLE_SECONDS)),
    autoScroll: false, plugins: [regions],
  });
  // Regions go in once the waveform is ready (added before, the plugin would add them twice).
  const view = { segments: [], current: -1, editable: false, quiet: false, ready: false };
  regions.on("region-clicked", (region, event) => {
    event.stopPropagation();
    pick(Number(region.id.split(":")[1]));
  });
  regions.on("region-updated", (region) => {
    if (view.quiet) return;
    const index = Number(region.id.split(":")[1]);
    const segment = view.segments[index];
    const moved = segment && draggedEdge(segment, region.start, region.end);
    if (moved) drag(segment, moved.edge, moved.to);
  });
  const draw = () => {
    if (!view.ready) return;
    view.quiet = true;
    regions.clearRegions();
    for (const r of regionsOf(view.segments, view.current, { editable: view.editable })) {
      const kind = r.current ? "current" : "other";
      const region = regions.addRegion({ id: `seg:${r.index}:${r.id}`, start: r.start, end: r.end, drag: false,
        resize: r.resize, minLength: 0.1, color: COLOURS[kind], content: `${view.segments[r.index].position}` });
      const el = region.element;
      el.dataset.segment = r.id;
      el.classList.toggle("current", r.current);
      el.title = `#${view.segments[r.index].position} `
        + (r.resize ? tr("(click to go to it; drag an edge to move it)") : tr("(click to go to it)"));
      Object.assign(el.style, { borderLeft: `1px solid ${EDGES[kind]}`, borderRight: `1px solid ${EDGES[kind]}`,
        fontSize: "11px", color: "#374151", cursor: "pointer" });
    }
    view.quiet = false;
    const segment = view.segments[view.current];
    if (segment) wave.setScrollTime(scrollTimeFor(segment, Math.min(outline.duration, VISIBLE_SECONDS), outline.duration));
  };
  wave.on("ready", () => { view.ready = true; draw(); });
  // ``show(segments, current, editable)`` redraws the regions after any change.
  return {
    show(segments, current, editable) {
      Object.assign(view, { segments, current, editable });
      draw();
    },
  };
}
