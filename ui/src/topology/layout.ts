// Layered layout of the topology: three fixed columns as in the core's SVG renderer
// (saved operations, sources, types), so `reaches` and `feeds` edges run left to right.
// Within a column nodes are ordered by the mean row of their neighbours in the column to
// the left (one barycentre pass, stable for ties), which keeps crossings low without a
// layout engine; the same positions feed React Flow and the exported SVG/PNG.
import type { TopologyEdgeView, TopologyNodeKind, TopologyNodeView } from "../bindings";

export interface TopoLayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  columnGap: number;
  rowGap: number;
  margin: number;
}

export const TOPO_LAYOUT: TopoLayoutOptions = { nodeWidth: 200, nodeHeight: 56, columnGap: 140, rowGap: 22, margin: 30 };

export const COLUMNS: readonly TopologyNodeKind[] = ["operation", "source", "type"];

export interface PlacedNode {
  node: TopologyNodeView;
  x: number;
  y: number;
  column: number;
  row: number;
}

export interface TopoLayout {
  nodes: Map<string, PlacedNode>;
  width: number;
  height: number;
  options: TopoLayoutOptions;
}

export function layoutTopology(
  nodes: readonly TopologyNodeView[],
  edges: readonly TopologyEdgeView[],
  options: TopoLayoutOptions = TOPO_LAYOUT,
): TopoLayout {
  const { nodeWidth, nodeHeight, columnGap, rowGap, margin } = options;
  const rowOf = new Map<string, number>();
  const placed = new Map<string, PlacedNode>();
  let rows = 0;
  COLUMNS.forEach((kind, column) => {
    const inColumn = nodes.filter((n) => n.kind === kind);
    const score = (n: TopologyNodeView, index: number): number => {
      const left = edges
        .filter((e) => e.to === n.id && rowOf.has(e.from))
        .map((e) => rowOf.get(e.from) ?? 0);
      // Nodes without a neighbour on the left keep their order, after the others.
      return left.length === 0 ? 1e6 + index : left.reduce((a, b) => a + b, 0) / left.length;
    };
    const ordered = inColumn
      .map((n, i) => ({ n, i, s: score(n, i) }))
      .sort((a, b) => a.s - b.s || a.i - b.i)
      .map((x) => x.n);
    ordered.forEach((node, row) => {
      rowOf.set(node.id, row);
      placed.set(node.id, {
        node,
        column,
        row,
        x: margin + column * (nodeWidth + columnGap),
        y: margin + row * (nodeHeight + rowGap),
      });
    });
    rows = Math.max(rows, ordered.length);
  });
  return {
    nodes: placed,
    width: margin * 2 + COLUMNS.length * nodeWidth + (COLUMNS.length - 1) * columnGap,
    height: margin * 2 + Math.max(1, rows) * nodeHeight + Math.max(0, rows - 1) * rowGap,
    options,
  };
}

/** A cubic curve between two placed nodes (right side to left side; a loop on the right
 * side for nodes in the same column), as an SVG path and its midpoint for a label. */
export function edgeCurve(a: PlacedNode, b: PlacedNode, o: TopoLayoutOptions): { d: string; mid: { x: number; y: number } } {
  const ay = a.y + o.nodeHeight / 2;
  const by = b.y + o.nodeHeight / 2;
  let x1: number, x2: number, c1: number, c2: number;
  if (a.column === b.column) {
    x1 = a.x + o.nodeWidth;
    x2 = b.x + o.nodeWidth;
    c1 = x1 + 60;
    c2 = x2 + 60;
  } else if (b.x >= a.x) {
    x1 = a.x + o.nodeWidth;
    x2 = b.x;
    c1 = x1 + (x2 - x1) / 2;
    c2 = x2 - (x2 - x1) / 2;
  } else {
    x1 = a.x;
    x2 = b.x + o.nodeWidth;
    c1 = x1 - (x1 - x2) / 2;
    c2 = x2 + (x1 - x2) / 2;
  }
  const d = `M${x1},${ay} C${c1},${ay} ${c2},${by} ${x2},${by}`;
  // The Bézier midpoint (t = 0.5).
  const mid = { x: (x1 + 3 * c1 + 3 * c2 + x2) / 8, y: (ay + 3 * ay + 3 * by + by) / 8 };
  return { d, mid };
}
