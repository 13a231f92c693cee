// Layered layout of a plan: one row per stage (PlanView.stages), the nodes of a stage side
// by side. A node never sits on or above a row of a node it depends on, even if the stages
// disagree, and within a row nodes are ordered by the mean position of their parents
// (a barycentre pass) so edges cross as little as possible. Rows are centred on the widest.
// A row is as tall as its tallest node: heights measured in the page (`heights`) replace the
// estimate, so a node whose chips wrap never reaches into the next row.
import type { PlanView } from "../bindings";

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  gapX: number;
  gapY: number;
  includeHidden: boolean;
  /** Measured node heights; `nodeHeight` for a node not in the map. */
  heights?: ReadonlyMap<number, number>;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  nodeWidth: 220,
  nodeHeight: 96,
  gapX: 36,
  gapY: 56,
  includeHidden: true,
};

export interface Placed {
  id: number;
  x: number;
  y: number;
  layer: number;
}

/** A row of the layout (one stage): its top and height. */
export interface Row {
  y: number;
  height: number;
}

/**
 * An edge that skips at least one row and would pass through a node of a row between: it is
 * drawn around the right of the nodes, down a gutter at `x` that the layout adds to its width.
 */
export interface Detour {
  from: number;
  to: number;
  x: number;
}

export interface Layout {
  nodes: Map<number, Placed>;
  width: number;
  height: number;
  layers: number[][];
  rows: Row[];
  detours: Detour[];
}

/** Room between the nodes' right edge and the first detour, and between two detours. */
export const DETOUR_GAP = 14;

/** The path of a detour: down out of the source, right to the gutter, down, left, into the target. */
export function detourPath(sx: number, sy: number, tx: number, ty: number, x: number, drop: number): string {
  return `M ${sx} ${sy} L ${sx} ${sy + drop} L ${x} ${sy + drop} L ${x} ${ty - drop} L ${tx} ${ty - drop} L ${tx} ${ty}`;
}

/** Layer of every node: its stage, pushed below every node it depends on. */
export function assignLayers(plan: PlanView, ids: Set<number>): Map<number, number> {
  const layer = new Map<number, number>();
  plan.stages.forEach((stage, i) => stage.forEach((id) => ids.has(id) && !layer.has(id) && layer.set(id, i)));
  for (const id of ids) if (!layer.has(id)) layer.set(id, 0);
  const edges = plan.edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to);
  // Relax at most |nodes| times: enough for any DAG, and a cycle cannot loop forever.
  for (let round = 0; round < ids.size; round++) {
    let changed = false;
    for (const e of edges) {
      const need = (layer.get(e.from) ?? 0) + 1;
      if ((layer.get(e.to) ?? 0) < need) {
        layer.set(e.to, need);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

export function layoutPlan(plan: PlanView, options: Partial<LayoutOptions> = {}): Layout {
  const o = { ...DEFAULT_LAYOUT, ...options };
  const visible = plan.nodes.filter((n) => o.includeHidden || !n.hidden);
  const ids = new Set(visible.map((n) => n.id));
  const layerOf = assignLayers(plan, ids);
  const depth = Math.max(-1, ...layerOf.values()) + 1;
  const layers: number[][] = Array.from({ length: depth }, () => []);
  // Keep the stage's own order as the starting order, then node id order.
  const stageOrder = new Map<number, number>();
  plan.stages.flat().forEach((id, i) => !stageOrder.has(id) && stageOrder.set(id, i));
  const sorted = [...ids].sort(
    (a, b) => (stageOrder.get(a) ?? 1e9) - (stageOrder.get(b) ?? 1e9) || a - b,
  );
  for (const id of sorted) layers[layerOf.get(id) ?? 0]?.push(id);

  const parents = new Map<number, number[]>();
  for (const e of plan.edges) {
    if (!ids.has(e.from) || !ids.has(e.to)) continue;
    parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);
  }
  const slot = new Map<number, number>();
  layers.forEach((row) => {
    const keyed = row.map((id, i) => {
      const ps = (parents.get(id) ?? []).filter((p) => slot.has(p));
      const bary = ps.length > 0 ? ps.reduce((s, p) => s + (slot.get(p) ?? 0), 0) / ps.length : i;
      return { id, bary, i };
    });
    keyed.sort((a, b) => a.bary - b.bary || a.i - b.i);
    row.splice(0, row.length, ...keyed.map((k) => k.id));
    // Centre-relative slots so a single child sits under its parent's column.
    row.forEach((id, i) => slot.set(id, i - (row.length - 1) / 2));
  });

  const widest = Math.max(0, ...layers.map((r) => r.length));
  const stepX = o.nodeWidth + o.gapX;
  const width = widest > 0 ? widest * stepX - o.gapX : 0;
  const rows: Row[] = [];
  let y = 0;
  for (const row of layers) {
    const height = Math.max(o.nodeHeight, ...row.map((id) => o.heights?.get(id) ?? o.nodeHeight));
    rows.push({ y, height });
    y += height + o.gapY;
  }
  const nodes = new Map<number, Placed>();
  layers.forEach((row, layer) => {
    const offset = (width - (row.length * stepX - o.gapX)) / 2;
    row.forEach((id, i) => nodes.set(id, { id, layer, x: offset + i * stepX, y: rows[layer]!.y }));
  });
  // Edges that skip rows and whose straight line would pass through a node between.
  const detours: Detour[] = [];
  const centre = (id: number) => (nodes.get(id)?.x ?? 0) + o.nodeWidth / 2;
  for (const e of plan.edges) {
    const a = nodes.get(e.from);
    const b = nodes.get(e.to);
    if (!a || !b || b.layer - a.layer < 2 || detours.some((d) => d.from === e.from && d.to === e.to)) continue;
    const lo = Math.min(centre(e.from), centre(e.to)) - 4;
    const hi = Math.max(centre(e.from), centre(e.to)) + 4;
    const blocked = layers
      .slice(a.layer + 1, b.layer)
      .some((row) => row.some((id) => {
        const x = nodes.get(id)?.x ?? 0;
        return x < hi && x + o.nodeWidth > lo;
      }));
    if (blocked) detours.push({ from: e.from, to: e.to, x: width + DETOUR_GAP * (detours.length + 1) });
  }
  const gutter = detours.length > 0 ? DETOUR_GAP * (detours.length + 1) : 0;
  return { nodes, layers, rows, width: width + gutter, height: depth > 0 ? y - o.gapY : 0, detours };
}
