// Every downstream call of a run as a bar from startMs to endMs on one shared scale.
import { useEffect, useMemo, useRef, useState } from "react";
import type { SpanView, TraceView } from "../bindings";
import { barFor, formatMs, makeScale, orderCalls, ticksFor } from "./waterfall";
import { sourceColor } from "../plan/colors";
import { spanFailed } from "../plan/stats";

interface Props {
  trace: TraceView;
  selected: number | null;
  onSelect: (span: SpanView) => void;
}

export function Waterfall({ trace, selected, onSelect }: Props) {
  const rows = useMemo(() => orderCalls(trace.spans), [trace]);
  // As many ticks as the track has room for (about 56 px a label), so labels never overprint.
  const axis = useRef<HTMLDivElement>(null);
  const [axisWidth, setAxisWidth] = useState(240);
  useEffect(() => {
    const el = axis.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setAxisWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const targetTicks = ticksFor(axisWidth);
  const scale = useMemo(() => makeScale(trace.spans, trace.durationMs, targetTicks), [trace, targetTicks]);
  const labels = useMemo(() => new Map(trace.plan.nodes.map((n) => [n.id, n.label])), [trace]);
  const batched = useMemo(() => new Set(trace.plan.nodes.filter((n) => n.mode === "batch").map((n) => n.id)), [trace]);
  return (
    <div data-testid="waterfall">
      <div className="wf-axis">
        <span>call</span>
        <div className="ticks" ref={axis}>
          {scale.ticks.map((t, i) => (
            <span
              key={t}
              style={{ left: `${scale.pct(t)}%`, transform: i === 0 ? "none" : i === scale.ticks.length - 1 ? "translateX(-100%)" : undefined }}
            >
              {formatMs(t)}
            </span>
          ))}
        </div>
        <span>batch · status</span>
      </div>
      {rows.map((s) => {
        const bar = barFor(s, scale);
        const failed = spanFailed(s);
        return (
          <div
            key={s.id}
            className={`wf-row ${selected === s.id ? "selected" : ""}`}
            data-testid="waterfall-row"
            role="button"
            tabIndex={0}
            onClick={() => onSelect(s)}
            onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), onSelect(s))}
            title={`${labels.get(s.node) ?? ""}  ${s.request.method} ${s.request.target}`}
          >
            <span className="name">
              <strong>{s.source}</strong> <span className="muted">{s.operation}</span>
            </span>
            <div className="wf-track">
              <div
                className={`wf-bar ${failed ? "failed" : ""}`}
                style={{ left: `${bar.left}%`, width: `${bar.width}%`, ["--src" as string]: sourceColor(s.source) }}
              />
            </div>
            <span className="mono">
              {batched.has(s.node) && <span title="keys in this batch call">×{s.batchSize} · </span>}
              {s.shared && (
                <span className="muted" title="an identical request was already in flight: its answer was shared, no call of its own was sent">
                  shared ·{" "}
                </span>
              )}
              <span className={failed ? "err" : "ok"}>{s.category ?? s.status ?? "–"}</span>{" "}
              <span className="muted">{formatMs(s.endMs - s.startMs)}</span>
            </span>
          </div>
        );
      })}
      {rows.length === 0 && <div className="muted">No downstream call was made.</div>}
    </div>
  );
}
