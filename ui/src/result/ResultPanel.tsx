// The stitched response (tree or raw text) with its errors; clicking an error shows its node.
import { useMemo, useState } from "react";
import type { TraceErrorView } from "../bindings";
import { JsonTree } from "./JsonTree";
import { errorTarget, highlightErrors, type PathSegment } from "./paths";

interface Props {
  response: unknown;
  traceErrors: TraceErrorView[];
}

interface PublicError {
  message: string;
  path: PathSegment[] | null;
  category: string | null;
}

function publicErrors(response: unknown): PublicError[] {
  if (response === null || typeof response !== "object") return [];
  const list = (response as { errors?: unknown }).errors;
  if (!Array.isArray(list)) return [];
  return list.map((e: unknown) => {
    const o = (e ?? {}) as { message?: unknown; path?: unknown; extensions?: { category?: unknown } };
    const path = Array.isArray(o.path) ? (o.path.filter((s) => typeof s === "string" || typeof s === "number") as PathSegment[]) : null;
    const category = typeof o.extensions?.category === "string" ? o.extensions.category : null;
    return { message: typeof o.message === "string" ? o.message : "error", path, category };
  });
}

export function ResultPanel({ response, traceErrors }: Props) {
  const [tab, setTab] = useState<"tree" | "raw">("tree");
  const highlights = useMemo(() => highlightErrors(response), [response]);
  const errors = useMemo(() => publicErrors(response), [response]);
  const raw = useMemo(() => JSON.stringify(response, null, 2), [response]);

  const reveal = (path: PathSegment[] | null) => {
    const t = errorTarget(response, path);
    if (!t) return;
    setTab("tree");
    requestAnimationFrame(() => {
      const el = document.querySelector(`[data-node-id="${CSS.escape(t.target)}"]`);
      el?.scrollIntoView({ block: "center", behavior: "smooth" });
    });
  };

  return (
    <section className="panel grow" aria-label="Result">
      <div className="panel-head">
        <h3>Result</h3>
        <div className="tabs" role="tablist">
          <button role="tab" aria-selected={tab === "tree"} className={tab === "tree" ? "active" : ""} onClick={() => setTab("tree")}>Tree</button>
          <button role="tab" aria-selected={tab === "raw"} className={tab === "raw" ? "active" : ""} onClick={() => setTab("raw")}>Raw</button>
        </div>
        <span className="grow" />
        {errors.length > 0 && <span className="chip err">{errors.length} error{errors.length === 1 ? "" : "s"}</span>}
        <button className="ghost" title="Copy the raw response" onClick={() => void navigator.clipboard?.writeText(raw)}>Copy</button>
      </div>
      <div className="panel-body">
        {tab === "tree" ? <JsonTree value={response} highlights={highlights} /> : <pre data-testid="result-raw">{raw}</pre>}
      </div>
      {(errors.length > 0 || traceErrors.length > 0) && (
        <div className="errors-list" data-testid="result-errors">
          {errors.map((e, i) => (
            <div key={i}>
              <button onClick={() => reveal(e.path)} title="Show in the tree">
                {e.category && <span className="chip err">{e.category}</span>} {e.message}
                {e.path && <span className="mono muted"> at {e.path.join(".")}</span>}
              </button>
            </div>
          ))}
          {traceErrors.map((e, i) => (
            <div key={`t${i}`} className="muted" title="From the trace (not in the public answer)">
              <span className="chip">{e.category}</span> {e.detail} <span className="mono">{e.path.join(".")}</span>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
