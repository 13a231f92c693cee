// The designer canvas's automatic layout, by ELK's layered algorithm (elkjs): operations in the
// first column, the schema's types in columns after it in the order their fields lead from one
// type to the next (Query -> Order -> Product), and every binding edge routed orthogonally
// around the boxes, from the operation's right side to its field row's left side. canvas.ts
// gives the boxes (and their sizes); this gives them places and the edges their bends.
//
// ELK itself is not imported here: the app runs it in a web worker (designerUi/elk.ts), the
// tests run the bundled one in the same thread; both answer the same `ElkLike.layout`.
import type { WorkspaceDoc } from "./types";
import type { BindingEdge, CanvasLayout, CanvasOptions } from "./canvas";
import { CANVAS_DEFAULTS } from "./canvas";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";

export type { ElkNode };

export interface Point {
  x: number;
  y: number;
}

/** What elkjs's `ELK` offers (the worker-backed one and the bundled one alike). */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/** A box's size as drawn (React Flow's measurement), when it differs from canvas.ts's. */
export type Sizes = ReadonlyMap<string, { width: number; height: number }>;

/** A binding edge's path: from the operation's port, through its bends, to the field's port. */
export type Routes = Map<string, Point[]>;

export interface Arranged {
  layout: CanvasLayout;
  routes: Routes;
}

/** The y of field row `index`'s port inside its type box: the 1 px border, the 30 px header
 * (styles.css `.dz-head`), then 26 px rows (`.dz-field`), at the middle of the row. */
export function fieldPortY(index: number, o: CanvasOptions = CANVAS_DEFAULTS): number {
  return 1 + o.headerHeight + index * o.rowHeight + o.rowHeight / 2;
}

const OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.layered.spacing.nodeNodeBetweenLayers": "90",
  "elk.spacing.nodeNode": "28",
  "elk.layered.spacing.edgeNodeBetweenLayers": "24",
  "elk.spacing.edgeNode": "16",
  "elk.spacing.edgeEdge": "10",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  // Every box in the column after the longest path to it: Query and Mutation right after the
  // operations, a type never before a type that leads to it.
  "elk.layered.layering.strategy": "LONGEST_PATH_SOURCE",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.separateConnectedComponents": "false",
};

/** Long chains of types are folded into rows instead of one line as wide as the chain: at once
 * when a chain of types is this long, else in a second pass when the first layout is
 * `FOLD_ABOVE` times wider than tall. */
const FOLD_CHAIN = 8;
const FOLD_ABOVE = 3;
const FOLDED: Record<string, string> = {
  ...OPTIONS,
  "elk.layered.wrapping.strategy": "MULTI_EDGE",
  "elk.aspectRatio": "1.6",
};

/** The object type a field's type names (`[Order!]!` -> `Order`), if it is one on the canvas. */
function namedType(t: string | undefined): string {
  return (t ?? "").replace(/[[\]!\s]/g, "");
}

/** Each type on the canvas and the types its fields lead to. */
function leadsOf(doc: WorkspaceDoc, layout: CanvasLayout): Map<string, Set<string>> {
  const onCanvas = new Set(layout.types.map((t) => t.type));
  const out = new Map<string, Set<string>>();
  for (const t of layout.types) {
    const leads = new Set<string>();
    for (const f of Object.values(doc.schema.types[t.type]?.fields ?? {})) {
      const u = namedType(f.type);
      if (u !== t.type && onCanvas.has(u)) leads.add(u);
    }
    out.set(t.type, leads);
  }
  return out;
}

/** How many types the longest chain of fields leading from type to type holds (a cycle counts
 * once round). */
export function longestChain(doc: WorkspaceDoc, layout: CanvasLayout): number {
  const leads = leadsOf(doc, layout);
  const memo = new Map<string, number>();
  const open = new Set<string>();
  const depth = (t: string): number => {
    const known = memo.get(t);
    if (known !== undefined) return known;
    if (open.has(t)) return 0;
    open.add(t);
    let d = 1;
    for (const u of leads.get(t) ?? []) d = Math.max(d, 1 + depth(u));
    open.delete(t);
    memo.set(t, d);
    return d;
  };
  let most = 0;
  for (const t of leads.keys()) most = Math.max(most, depth(t));
  return most;
}

/** The graph ELK lays out: every box, ports on the operations' right and the field rows' left,
 * the binding edges, and (for the columns only, never drawn) one edge from each type to every
 * type its fields lead to. */
export function elkGraph(
  doc: WorkspaceDoc,
  layout: CanvasLayout,
  sizes: Sizes = new Map(),
  fold = false,
  o: CanvasOptions = CANVAS_DEFAULTS,
): ElkNode {
  const size = (id: string, width: number, height: number) => {
    const m = sizes.get(id);
    return { width: Math.max(width, m?.width ?? 0), height: Math.max(height, m?.height ?? 0) };
  };
  const children: ElkNode[] = [];
  for (const op of layout.ops) {
    const s = size(op.id, op.width, op.height);
    children.push({
      id: op.id,
      ...s,
      ports: [{ id: `${op.id}>out`, x: s.width, y: s.height / 2, width: 0, height: 0, layoutOptions: { "elk.port.side": "EAST" } }],
      layoutOptions: { "elk.portConstraints": "FIXED_POS", "elk.layered.layering.layerConstraint": "FIRST" },
    });
  }
  const leads = leadsOf(doc, layout);
  const edges: ElkExtendedEdge[] = [];
  for (const t of layout.types) {
    const s = size(t.id, t.width, t.height);
    children.push({
      id: t.id,
      ...s,
      ports: [
        { id: `${t.id}<`, x: 0, y: 15, width: 0, height: 0, layoutOptions: { "elk.port.side": "WEST" } },
        ...t.fields.map((f, i) => ({
          id: `${t.id}<${f}`,
          x: 0,
          y: fieldPortY(i, o),
          width: 0,
          height: 0,
          layoutOptions: { "elk.port.side": "WEST" },
        })),
      ],
      layoutOptions: { "elk.portConstraints": "FIXED_POS" },
    });
    for (const u of leads.get(t.type) ?? []) edges.push({ id: `ref:${t.type}>${u}`, sources: [t.id], targets: [`type:${u}<`] });
  }
  for (const e of layout.edges) edges.push({ id: e.id, sources: [`${e.source}>out`], targets: [`${e.target}<${e.field}`] });
  return { id: "root", layoutOptions: fold ? FOLDED : OPTIONS, children, edges };
}

/** Places the boxes where ELK put them and keeps the binding edges' routes. */
export function applyElk(layout: CanvasLayout, out: ElkNode): Arranged {
  const at = new Map((out.children ?? []).map((n) => [n.id, n]));
  const place = <B extends { id: string; x: number; y: number; width: number; height: number }>(b: B): B => {
    const n = at.get(b.id);
    return n ? { ...b, x: n.x ?? b.x, y: n.y ?? b.y, width: n.width ?? b.width, height: n.height ?? b.height } : b;
  };
  const routes: Routes = new Map();
  const drawn = new Set(layout.edges.map((e: BindingEdge) => e.id));
  for (const e of out.edges ?? []) {
    if (!drawn.has(e.id)) continue;
    const points: Point[] = [];
    for (const s of e.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    if (points.length >= 2) routes.set(e.id, points);
  }
  const types = layout.types.map(place);
  return { layout: { ...layout, ops: alignOps(layout.ops.map(place), types, routes), types }, routes };
}

/** The operations in one column: ELK may set an operation bound to nothing a little apart from
 * the others; it is moved to the column most of them share, unless that would put it on a box
 * or an edge. */
function alignOps<B extends Box>(ops: B[], types: readonly Box[], routes: Routes): B[] {
  const count = new Map<number, number>();
  for (const o of ops) count.set(o.x, (count.get(o.x) ?? 0) + 1);
  let column: number | null = null;
  for (const [x, n] of count) if (column === null || n > (count.get(column) ?? 0)) column = x;
  if (column === null || count.size === 1) return ops;
  const aligned = ops.map((o) => (o.x === column ? o : { ...o, x: column }));
  const boxes = [...aligned, ...types];
  return overlaps(boxes).length === 0 && crossings(routes, boxes).length === 0 ? aligned : ops;
}

/** Lays the canvas out with `elk`. */
export async function arrange(elk: ElkLike, doc: WorkspaceDoc, layout: CanvasLayout, sizes: Sizes = new Map()): Promise<Arranged> {
  if (longestChain(doc, layout) >= FOLD_CHAIN) return applyElk(layout, await elk.layout(elkGraph(doc, layout, sizes, true)));
  const out = await elk.layout(elkGraph(doc, layout, sizes));
  const wide = (out.width ?? 0) > FOLD_ABOVE * Math.max(1, out.height ?? 0);
  return applyElk(layout, wide ? await elk.layout(elkGraph(doc, layout, sizes, true)) : out);
}

/** The SVG path through `points`, its ends moved onto where the handles are drawn (`from`,
 * `to`): the first and last bends keep their x and take the ends' y, so every segment stays
 * horizontal or vertical when the drawn handle sits a pixel or two off ELK's port. */
export function routedPath(points: readonly Point[], from: Point, to: Point): string {
  if (points.length < 2) return `M ${from.x} ${from.y} L ${to.x} ${to.y}`;
  const bends = points.slice(1, -1).map((p) => ({ ...p }));
  if (bends.length > 0) {
    bends[0]!.y = from.y;
    bends[bends.length - 1]!.y = to.y;
  }
  const all = [from, ...bends, to];
  return all.map((p, i) => `${i === 0 ? "M" : "L"} ${p.x} ${p.y}`).join(" ");
}

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The boxes two of which overlap (a pair per overlap). */
export function overlaps(boxes: readonly Box[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.push([a.id, b.id]);
    }
  }
  return out;
}

/** Whether the segment a-b passes through the inside of `box` (its border shrunk by `inset`,
 * so an edge that ends on a box's side does not count). */
export function segmentCrosses(a: Point, b: Point, box: Box, inset = 1): boolean {
  const x0 = box.x + inset;
  const x1 = box.x + box.width - inset;
  const y0 = box.y + inset;
  const y1 = box.y + box.height - inset;
  // Liang-Barsky clipping against the open rectangle.
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const [p, q] of [
    [-dx, a.x - x0],
    [dx, x1 - a.x],
    [-dy, a.y - y0],
    [dy, y1 - a.y],
  ] as const) {
    if (p === 0) {
      if (q <= 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 >= t1) return false;
    }
  }
  return t1 - t0 > 1e-9;
}

/** Every (edge, box) pair where the edge's path runs through the box. */
export function crossings(routes: ReadonlyMap<string, readonly Point[]>, boxes: readonly Box[]): [string, string][] {
  const out: [string, string][] = [];
  for (const [id, points] of routes) {
    for (const box of boxes) {
      for (let i = 1; i < points.length; i++) {
        if (segmentCrosses(points[i - 1]!, points[i]!, box)) {
          out.push([id, box.id]);
          break;
        }
      }
    }
  }
  return out;
}
