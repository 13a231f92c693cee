import { describe, expect, it } from "vitest";
import type { PlanView, PlanNodeView } from "../bindings";
import { DETOUR_GAP, assignLayers, detourPath, layoutPlan } from "./layout";

function node(id: number, label: string, hidden = false): PlanNodeView {
  return { id, kind: "bound", label, path: label.split("."), source: "s", sourceKind: "rest", operation: "op", mode: "single", hidden };
}

const shop: PlanView = {
  nodes: [node(0, "getOrderDetails"), node(1, "user"), node(2, "products")],
  edges: [
    { from: 0, to: 1, kind: "parent" },
    { from: 0, to: 2, kind: "parent" },
  ],
  stages: [[0], [1, 2]],
};

const opts = { nodeWidth: 100, nodeHeight: 50, gapX: 10, gapY: 20 };

function overlaps(a: { x: number; y: number }, b: { x: number; y: number }) {
  return Math.abs(a.x - b.x) < opts.nodeWidth && Math.abs(a.y - b.y) < opts.nodeHeight;
}

describe("layoutPlan", () => {
  it("puts one stage per row and siblings side by side", () => {
    const l = layoutPlan(shop, opts);
    const [a, b, c] = [0, 1, 2].map((id) => l.nodes.get(id)!);
    expect(a!.y).toBe(0);
    expect(b!.y).toBe(70);
    expect(c!.y).toBe(70);
    expect(b!.x).not.toBe(c!.x);
    expect(l.layers).toEqual([[0], [1, 2]]);
  });

  it("centres a single parent above its children", () => {
    const l = layoutPlan(shop, opts);
    const parent = l.nodes.get(0)!;
    const mid = (l.nodes.get(1)!.x + l.nodes.get(2)!.x) / 2;
    expect(parent.x).toBeCloseTo(mid);
    expect(l.width).toBe(210);
    expect(l.height).toBe(120);
  });

  it("never overlaps nodes, even in a wide stage", () => {
    const wide: PlanView = {
      nodes: Array.from({ length: 7 }, (_, i) => node(i, `n${i}`)),
      edges: [1, 2, 3, 4, 5, 6].map((to) => ({ from: 0, to, kind: "parent" as const })),
      stages: [[0], [1, 2, 3, 4, 5, 6]],
    };
    const placed = [...layoutPlan(wide, opts).nodes.values()];
    for (let i = 0; i < placed.length; i++)
      for (let j = i + 1; j < placed.length; j++) expect(overlaps(placed[i]!, placed[j]!)).toBe(false);
  });

  it("pushes a node below what it requires even if the stages put them together", () => {
    const plan: PlanView = {
      nodes: [node(0, "a"), node(1, "b"), node(2, "c")],
      edges: [
        { from: 0, to: 1, kind: "parent" },
        { from: 1, to: 2, kind: "requires" },
      ],
      stages: [[0], [1, 2]],
    };
    const l = layoutPlan(plan, opts);
    expect(l.nodes.get(2)!.y).toBeGreaterThan(l.nodes.get(1)!.y);
  });

  it("orders a row by its parents' positions to avoid crossings", () => {
    const plan: PlanView = {
      nodes: [node(0, "a"), node(1, "b"), node(2, "under-b"), node(3, "under-a")],
      edges: [
        { from: 0, to: 3, kind: "parent" },
        { from: 1, to: 2, kind: "parent" },
      ],
      stages: [[0, 1], [2, 3]],
    };
    const l = layoutPlan(plan, opts);
    expect(l.nodes.get(3)!.x).toBeLessThan(l.nodes.get(2)!.x);
  });

  it("can leave hidden key nodes out", () => {
    const plan: PlanView = { ...shop, nodes: [...shop.nodes, node(3, "key", true)], stages: [[0, 3], [1, 2]] };
    expect(layoutPlan(plan, { ...opts, includeHidden: false }).nodes.has(3)).toBe(false);
    expect(layoutPlan(plan, opts).nodes.has(3)).toBe(true);
  });

  it("survives a cycle and nodes missing from the stages", () => {
    const plan: PlanView = {
      nodes: [node(0, "a"), node(1, "b"), node(5, "stray")],
      edges: [
        { from: 0, to: 1, kind: "parent" },
        { from: 1, to: 0, kind: "requires" },
      ],
      stages: [[0], [1]],
    };
    const layers = assignLayers(plan, new Set([0, 1, 5]));
    expect(layers.get(5)).toBe(0);
    expect(layoutPlan(plan, opts).nodes.size).toBe(3);
  });

  it("makes a row as tall as its tallest measured node", () => {
    const l = layoutPlan(shop, { ...opts, heights: new Map([[0, 80], [1, 40], [2, 65]]) });
    expect(l.rows).toEqual([{ y: 0, height: 80 }, { y: 100, height: 65 }]);
    expect(l.nodes.get(1)!.y).toBe(100);
    expect(l.height).toBe(165);
    // A row never gets shorter than the estimate.
    expect(layoutPlan(shop, { ...opts, heights: new Map([[0, 10]]) }).rows[0]!.height).toBe(50);
  });

  it("routes a 'then' edge that skips a row around the node in between, in a gutter of its own", () => {
    // mutation { a: placeOrder { user } b: placeOrder }: a, a.user, then b.
    const mutation: PlanView = {
      nodes: [node(0, "Mutation.placeOrder"), node(1, "Order.user"), node(2, "Mutation.placeOrder")],
      edges: [
        { from: 0, to: 1, kind: "parent" },
        { from: 0, to: 2, kind: "sequence" },
        { from: 1, to: 2, kind: "sequence" },
      ],
      stages: [[0], [1], [2]],
    };
    const l = layoutPlan(mutation, opts);
    // All three in one column: the straight a -> b line would cross a.user.
    expect(new Set([0, 1, 2].map((id) => l.nodes.get(id)!.x)).size).toBe(1);
    expect(l.detours).toEqual([{ from: 0, to: 2, x: opts.nodeWidth + DETOUR_GAP }]);
    // The layout is wider by the gutter, and the gutter is right of every node.
    expect(l.width).toBe(opts.nodeWidth + 2 * DETOUR_GAP);
    for (const n of l.nodes.values()) expect(n.x + opts.nodeWidth).toBeLessThan(l.detours[0]!.x);
    expect(detourPath(50, 50, 50, 190, 114, 10)).toBe("M 50 50 L 50 60 L 114 60 L 114 180 L 50 180 L 50 190");
  });

  it("draws an edge that skips a row straight when nothing is in its way", () => {
    const side: PlanView = {
      nodes: [node(0, "a"), node(1, "b"), node(2, "c"), node(3, "d")],
      edges: [
        { from: 0, to: 1, kind: "parent" },
        { from: 1, to: 2, kind: "parent" },
        { from: 0, to: 3, kind: "parent" },
      ],
      stages: [[0], [1], [2, 3]],
    };
    const l = layoutPlan(side, opts);
    // b sits under a; d, two rows down, is placed beside c: the a -> d line passes b's edge.
    const blocked = l.detours.length > 0;
    const bx = l.nodes.get(1)!.x;
    const lo = Math.min(l.nodes.get(0)!.x, l.nodes.get(3)!.x) + opts.nodeWidth / 2 - 4;
    const hi = Math.max(l.nodes.get(0)!.x, l.nodes.get(3)!.x) + opts.nodeWidth / 2 + 4;
    expect(blocked).toBe(bx < hi && bx + opts.nodeWidth > lo);
    expect(layoutPlan(shop, opts).detours).toEqual([]);
  });

  it("lays out an empty plan as nothing", () => {
    const l = layoutPlan({ nodes: [], edges: [], stages: [] }, opts);
    expect(l.nodes.size).toBe(0);
    expect(l.width).toBe(0);
  });
});
