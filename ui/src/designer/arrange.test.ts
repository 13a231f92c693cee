import { describe, expect, it } from "vitest";
import ELK from "elkjs/lib/elk.bundled.js";
import { fleet, shop, trading } from "./testFixtures";
import type { WorkspaceDoc } from "./types";
import { layoutCanvas, opNodeId, typeNodeId } from "./canvas";
import { arrange, crossings, fieldPortY, overlaps, routedPath, segmentCrosses } from "./arrange";

const elk = new ELK();

/** The shop with `n` types in all: the extra ones chained (each leads to the next, the last to
 * Order) and every third one with an owner looked up by key from the users service (its own
 * binding edge), as the window test at 30 types builds it. */
function bigShop(n: number): WorkspaceDoc {
  const doc = structuredClone(shop()) as WorkspaceDoc;
  const types = doc.schema.types;
  const extra = n - Object.keys(types).length;
  for (let i = 0; i < extra; i++) {
    const fields: Record<string, unknown> = {
      id: { type: "ID!" },
      name: { type: "String" },
      count: { type: "Int" },
      next: { type: i + 1 < extra ? `Extra${i + 1}` : "Order" },
    };
    if (i % 3 === 0) fields.owner = { type: "User", binding: { source: "users", operation: "getUser", key: { parent: "id", input: "id" } } };
    types[`Extra${i}`] = { fields } as WorkspaceDoc["schema"]["types"][string];
  }
  return doc;
}

async function arranged(doc: WorkspaceDoc) {
  const canvas = layoutCanvas(doc);
  const out = await arrange(elk, doc, canvas);
  return { canvas, ...out };
}

describe("automatic layout (ELK)", () => {
  for (const [name, doc] of [
    ["shop", shop()],
    ["trading", trading()],
    ["fleet", fleet()],
    ["the shop at 30 types", bigShop(30)],
    ["the shop at 50 types", bigShop(50)],
  ] as const) {
    it(`${name}: no box overlaps another and no edge runs through a box`, async () => {
      const { canvas, layout, routes } = await arranged(doc);
      const boxes = [...layout.ops, ...layout.types];
      expect(boxes.length).toBe(canvas.ops.length + canvas.types.length);
      expect(overlaps(boxes)).toEqual([]);
      // Every binding is routed, from the operation's right side to its field row's left side.
      expect([...routes.keys()].sort()).toEqual(canvas.edges.map((e) => e.id).sort());
      for (const e of layout.edges) {
        const points = routes.get(e.id)!;
        const op = layout.ops.find((o) => o.id === e.source)!;
        const type = layout.types.find((t) => t.id === e.target)!;
        expect(points[0]).toEqual({ x: op.x + op.width, y: op.y + op.height / 2 });
        expect(points[points.length - 1]).toEqual({ x: type.x, y: type.y + fieldPortY(type.fields.indexOf(e.field)) });
        // Orthogonal: every segment horizontal or vertical.
        for (let i = 1; i < points.length; i++) {
          const [a, b] = [points[i - 1]!, points[i]!];
          expect(a.x === b.x || a.y === b.y).toBe(true);
        }
      }
      expect(crossings(routes, boxes)).toEqual([]);
      // The operations stand in one column, bound ones or not.
      expect(new Set(layout.ops.map((o) => o.x)).size).toBe(1);
    });
  }

  it("puts the operations first and a type after the types that lead to it", async () => {
    const { layout } = await arranged(shop());
    const x = (id: string) => [...layout.ops, ...layout.types].find((b) => b.id === id)!.x;
    const lastOp = Math.max(...layout.ops.map((o) => o.x + o.width));
    for (const t of layout.types) expect(t.x).toBeGreaterThan(lastOp);
    expect(x(typeNodeId("Query"))).toBeLessThan(x(typeNodeId("Order")));
    expect(x(typeNodeId("Order"))).toBeLessThan(x(typeNodeId("Product")));
    expect(x(opNodeId("orders", "getOrder"))).toBe(x(opNodeId("users", "getUser")));
  });

  it("folds 50 types into a canvas wider than tall, not one long column or row", async () => {
    const { layout } = await arranged(bigShop(50));
    const boxes = [...layout.ops, ...layout.types];
    const width = Math.max(...boxes.map((b) => b.x + b.width)) - Math.min(...boxes.map((b) => b.x));
    const height = Math.max(...boxes.map((b) => b.y + b.height)) - Math.min(...boxes.map((b) => b.y));
    expect(width / height).toBeGreaterThan(0.5);
    expect(width / height).toBeLessThan(4);
  });

  it("takes a box's drawn size over the estimate", async () => {
    const doc = shop();
    const canvas = layoutCanvas(doc);
    const order = typeNodeId("Order");
    const tall = await arrange(elk, doc, canvas, new Map([[order, { width: 280, height: 600 }]]));
    const box = tall.layout.types.find((t) => t.id === order)!;
    expect(box.height).toBe(600);
    expect(overlaps([...tall.layout.ops, ...tall.layout.types])).toEqual([]);
  });
});

describe("geometry", () => {
  const box = { id: "b", x: 10, y: 10, width: 100, height: 50 };
  it("finds a segment through a box and none along or beside it", () => {
    expect(segmentCrosses({ x: 0, y: 30 }, { x: 200, y: 30 }, box)).toBe(true);
    expect(segmentCrosses({ x: 50, y: 0 }, { x: 50, y: 20 }, box)).toBe(true);
    expect(segmentCrosses({ x: 0, y: 30 }, { x: 10, y: 30 }, box)).toBe(false);
    expect(segmentCrosses({ x: 0, y: 10 }, { x: 200, y: 10 }, box)).toBe(false);
    expect(segmentCrosses({ x: 0, y: 70 }, { x: 200, y: 70 }, box)).toBe(false);
  });
  it("finds overlapping boxes and not touching ones", () => {
    const a = { id: "a", x: 0, y: 0, width: 10, height: 10 };
    expect(overlaps([a, { id: "c", x: 10, y: 0, width: 10, height: 10 }])).toEqual([]);
    expect(overlaps([a, { id: "c", x: 9, y: 9, width: 10, height: 10 }])).toEqual([["a", "c"]]);
  });
  it("draws a route from the drawn handles, every segment straight", () => {
    const d = routedPath(
      [
        { x: 0, y: 10 },
        { x: 50, y: 10 },
        { x: 50, y: 80 },
        { x: 100, y: 80 },
      ],
      { x: 1, y: 11 },
      { x: 98, y: 82 },
    );
    expect(d).toBe("M 1 11 L 50 11 L 50 82 L 98 82");
  });
});
