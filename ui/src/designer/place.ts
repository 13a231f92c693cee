// Where the person put designer boxes by hand, kept per workspace in this window's storage
// (like the panes' sizes and the query tabs): a teammate opening the same workspace file gets
// the automatic layout. And the canvas search: which boxes and field rows a text names.
import type { CanvasLayout } from "./canvas";

export type Moved = ReadonlyMap<string, { x: number; y: number }>;

const key = (workspaceId: string | number) => `knot.designer.moved.${workspaceId}`;

/** Moved boxes from their stored text; anything that is not `{id: {x, y}}` with finite numbers
 * is left out, so a damaged entry costs only that box its place. */
export function parseMoved(text: string | null): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  if (!text) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== "object" || v === null) continue;
    const { x, y } = v as { x?: unknown; y?: unknown };
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) out.set(id, { x, y });
  }
  return out;
}

export function loadMoved(workspaceId: string | number): Map<string, { x: number; y: number }> {
  try {
    return parseMoved(localStorage.getItem(key(workspaceId)));
  } catch {
    return new Map();
  }
}

export function saveMoved(workspaceId: string | number, moved: Moved): void {
  try {
    if (moved.size === 0) localStorage.removeItem(key(workspaceId));
    else localStorage.setItem(key(workspaceId), JSON.stringify(Object.fromEntries(moved)));
  } catch {
    // Storage full or unavailable: the boxes stay where they are until the window closes.
  }
}

export interface Found {
  /** The node: `op:source.operation` or `type:Name`. */
  id: string;
  /** The field row of a type that matched (empty: the box itself). */
  field: string;
  /** What is shown for the match: `Order.products`, `orders.getOrder`. */
  label: string;
}

/** Everything on the canvas whose name holds `text` (any case): types first, then their fields,
 * then operations; names that start with the text come before names that only contain it. */
export function findOnCanvas(layout: CanvasLayout, text: string): Found[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const rank = (name: string) => (name.toLowerCase().startsWith(q) ? 0 : name.toLowerCase().includes(q) ? 1 : -1);
  const hits: { f: Found; r: number; group: number }[] = [];
  for (const t of layout.types) {
    const r = rank(t.type);
    if (r >= 0) hits.push({ f: { id: t.id, field: "", label: t.type }, r, group: 0 });
    for (const field of t.fields) {
      const rf = rank(field);
      if (rf >= 0) hits.push({ f: { id: t.id, field, label: `${t.type}.${field}` }, r: rf, group: 1 });
    }
  }
  for (const o of layout.ops) {
    const own = rank(o.operation);
    const r = own >= 0 ? own : rank(`${o.source}.${o.operation}`) >= 0 ? 1 : -1;
    if (r >= 0) hits.push({ f: { id: o.id, field: "", label: `${o.source}.${o.operation}` }, r, group: 2 });
  }
  return hits.sort((a, b) => a.r - b.r || a.group - b.group).map((h) => h.f);
}
