// The stitched response as a collapsible tree. Node ids are JSON Pointers (./paths.ts);
// nodes with an error are highlighted with the message, and their ancestors open.
import { useState, type ReactNode } from "react";
import { childId, type Highlights } from "./paths";

interface Props {
  value: unknown;
  highlights: Highlights;
  openDepth?: number;
}

const MAX_ITEMS = 300;

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="null">null</span>;
  if (typeof value === "string") return <span className="str">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="num">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="bool">{String(value)}</span>;
  return <span className="null">{String(value)}</span>;
}

function summary(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value !== null && typeof value === "object") return `{${Object.keys(value).length}}`;
  return "";
}

const BIG = 50;

export function JsonTree({ value, highlights, openDepth = 8 }: Props) {
  const [toggled, setToggled] = useState<Map<string, boolean>>(new Map());
  // Open by default down to openDepth, except big containers; errors' ancestors always open.
  const isOpen = (id: string, depth: number, size: number) =>
    toggled.get(id) ?? ((depth < openDepth && size <= BIG) || highlights.trail.has(id));

  const renderNode = (key: string | number | null, v: unknown, id: string, depth: number): ReactNode => {
    const container = v !== null && typeof v === "object";
    const entries: [string | number, unknown][] = !container
      ? []
      : Array.isArray(v)
        ? v.map((x, i) => [i, x])
        : Object.entries(v as Record<string, unknown>);
    const open = container && isOpen(id, depth, entries.length);
    const errs = highlights.errors.get(id);
    const cls = ["node", errs ? "has-error" : "", highlights.trail.has(id) ? "on-trail" : ""].join(" ");
    return (
      <li key={id} data-node-id={id}>
        <div className={cls}>
          {container ? (
            <button
              className="toggle"
              aria-label={open ? "Collapse" : "Expand"}
              onClick={() => setToggled((m) => new Map(m).set(id, !open))}
            >
              {open ? "▾" : "▸"}
            </button>
          ) : (
            <span className="toggle" />
          )}
          {key !== null && <span className={typeof key === "number" ? "muted" : "key"}>{key}:</span>}
          {container ? <span className="muted">{summary(v)}</span> : <Scalar value={v} />}
          {errs && <span className="error-msg">⚠ {errs.join("; ")}</span>}
        </div>
        {open && (
          <ul>
            {entries.slice(0, MAX_ITEMS).map(([k, x]) => renderNode(k, x, childId(id, k), depth + 1))}
            {entries.length > MAX_ITEMS && <li className="muted">… {entries.length - MAX_ITEMS} more (see Raw)</li>}
          </ul>
        )}
      </li>
    );
  };

  return (
    <div className="tree" data-testid="result-tree">
      <ul>{renderNode(null, value, "", 0)}</ul>
    </div>
  );
}
