// The timing waterfall's scale: milliseconds -> percent of the track, "nice" ticks
// (1, 2, 2.5 or 5 times a power of ten), and rows ordered by start.
export interface TimedCall {
  id: number;
  startMs: number;
  endMs: number;
}

export interface Scale {
  /** The track's end in ms (at least the longest end, rounded up to a tick). */
  maxMs: number;
  ticks: number[];
  pct: (ms: number) => number;
}

export function niceStep(span: number, targetTicks = 5): number {
  if (!(span > 0)) return 1;
  const rough = span / targetTicks;
  const pow = Math.pow(10, Math.floor(Math.log10(rough)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= rough) return m * pow;
  return 10 * pow;
}

export function makeScale(calls: readonly TimedCall[], totalMs = 0, targetTicks = 5): Scale {
  const end = Math.max(totalMs, 0, ...calls.map((c) => c.endMs));
  if (targetTicks <= 1 && end > 0) {
    // Room for two labels only: the track is the run, from 0 to its end.
    return { maxMs: end, ticks: [0, end], pct: (ms: number) => Math.min(100, Math.max(0, (ms / end) * 100)) };
  }
  const stepMs = niceStep(end > 0 ? end : 1, targetTicks);
  const maxMs = Math.max(stepMs, Math.ceil(end / stepMs - 1e-9) * stepMs);
  const ticks: number[] = [];
  for (let t = 0; t <= maxMs + 1e-9; t += stepMs) ticks.push(Number(t.toFixed(6)));
  const pct = (ms: number) => Math.min(100, Math.max(0, (ms / maxMs) * 100));
  return { maxMs, ticks, pct };
}

/** How many tick intervals fit a track `widthPx` wide, a label needing about `labelPx`. */
export function ticksFor(widthPx: number, labelPx = 56): number {
  return Math.max(1, Math.min(5, Math.floor(widthPx / labelPx) - 1));
}

export interface Bar {
  left: number;
  width: number;
}

/** A bar's left and width in percent; a zero-length call still gets a visible sliver. */
export function barFor(call: TimedCall, scale: Scale, minWidthPct = 0.5): Bar {
  const left = scale.pct(call.startMs);
  const width = Math.max(minWidthPct, scale.pct(Math.max(call.startMs, call.endMs)) - left);
  return { left: Math.min(left, 100 - minWidthPct), width: Math.min(width, 100 - Math.min(left, 100 - minWidthPct)) };
}

export function orderCalls<T extends TimedCall>(calls: readonly T[]): T[] {
  return [...calls].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || a.id - b.id);
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 1 : 2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${Number(ms.toFixed(1))} ms`;
}
