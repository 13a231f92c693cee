// Overlay badges: per-source call statistics from the run history, formatted the same way
// on source nodes, on `feeds` edges and in the exported SVG. Colours per protocol match the
// core's DOT/SVG renderings so an exported picture and the screen agree.
import type { SourceOverlay, TopologyEdgeView } from "../bindings";

export function overlayBySource(overlays: readonly SourceOverlay[]): Map<string, SourceOverlay> {
  return new Map(overlays.map((o) => [`source:${o.source}`, o]));
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 0 : 1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatRate(rate: number): string {
  const pct = Math.min(1, Math.max(0, rate)) * 100;
  if (pct === 0) return "0%";
  if (pct < 1) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}

/** `12 calls · 8% err · 14 ms`. */
export function formatOverlay(o: SourceOverlay): string {
  return `${o.calls} call${o.calls === 1 ? "" : "s"} · ${formatRate(o.errorRate)} err · ${formatMs(o.medianMs)}`;
}

/** The badge of an edge: `feeds` edges carry their source's statistics. */
export function edgeOverlay(e: TopologyEdgeView, bySource: Map<string, SourceOverlay>): SourceOverlay | undefined {
  return e.kind === "feeds" ? bySource.get(e.from) : undefined;
}

/** Health of a source from its error rate: ok, warn (≥ 1%), bad (≥ 10%). */
export function health(o: SourceOverlay): "ok" | "warn" | "bad" {
  return o.errorRate >= 0.1 ? "bad" : o.errorRate >= 0.01 ? "warn" : "ok";
}

const PROTOCOL_COLOURS: Record<string, string> = { rest: "#cfe8ff", grpc: "#d7f5d0", graphql: "#f3d4ff" };
const PROTOCOL_ACCENTS: Record<string, string> = { rest: "#2f80ed", grpc: "#27a04a", graphql: "#b04ad8" };

export function protocolFill(protocol: string): string {
  return PROTOCOL_COLOURS[protocol] ?? "#eeeeee";
}

export function protocolAccent(protocol: string): string {
  return PROTOCOL_ACCENTS[protocol] ?? "#888888";
}
