// What a run tells about each fetch node: duration, calls, keys, batch size and status.
import type { SpanView, TraceView } from "../bindings";

export type NodeState = "started" | "done" | "failed";

export interface NodeStat {
  durationMs: number;
  calls: number;
  failedCalls: number;
  keys: number;
  /** Largest batch one call of the node carried. */
  batchSize: number;
  status: "ok" | "failed";
}

export function nodeStats(trace: TraceView | null): Map<number, NodeStat> {
  const out = new Map<number, NodeStat>();
  if (!trace) return out;
  const batch = new Map<number, number>();
  for (const s of trace.spans) batch.set(s.node, Math.max(batch.get(s.node) ?? 0, s.batchSize));
  for (const n of trace.nodes) {
    out.set(n.node, {
      durationMs: Math.max(0, n.endMs - n.startMs),
      calls: n.calls,
      failedCalls: n.failedCalls,
      keys: n.keys,
      batchSize: batch.get(n.node) ?? 0,
      status: n.failedCalls > 0 ? "failed" : "ok",
    });
  }
  return out;
}

export function spansOf(trace: TraceView | null, node: number): SpanView[] {
  return trace ? trace.spans.filter((s) => s.node === node).sort((a, b) => a.startMs - b.startMs || a.id - b.id) : [];
}

export function spanFailed(s: SpanView): boolean {
  return s.error !== null || s.category !== null;
}
