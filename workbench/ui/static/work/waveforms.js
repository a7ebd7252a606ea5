// Waveforms are drawn from the decoded audio, lazily as rows scroll into view, a few
// downloads at a time so a 200-segment task does not flood the server.
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

// The loudest sample of each of ``bins`` stretches, scaled to the loudest of all.
export function summarise(samples, bins) {
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

export function draw(canvas, fraction) {
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

export const watch = (canvas) => observer.observe(canvas);
