import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { layoutCanvas } from "./canvas";
import { findOnCanvas, parseMoved } from "./place";
import { longestChain } from "./arrange";

describe("moved boxes", () => {
  it("reads back what was kept and leaves out what is damaged", () => {
    const m = parseMoved(JSON.stringify({ "type:Order": { x: 10, y: -4.5 }, "type:User": { x: "1", y: 2 }, "op:a.b": null, "type:P": { x: 1 } }));
    expect([...m]).toEqual([["type:Order", { x: 10, y: -4.5 }]]);
    expect(parseMoved("not json").size).toBe(0);
    expect(parseMoved("[1,2]").size).toBe(0);
    expect(parseMoved(null).size).toBe(0);
  });
});

describe("canvas search", () => {
  const layout = layoutCanvas(shop());
  it("finds types, then fields, then operations; names that start with the text first", () => {
    const labels = findOnCanvas(layout, "prod").map((f) => f.label);
    expect(labels[0]).toBe("Product");
    expect(labels).toContain("Order.products");
    expect(labels).toContain("products.GetProducts");
    expect(labels.indexOf("Order.products")).toBeLessThan(labels.indexOf("products.GetProducts"));
    // "GetProducts" only contains "prod": after every name that starts with it.
    expect(labels.indexOf("products.GetProducts")).toBeGreaterThan(labels.indexOf("Order.productIds"));
  });
  it("names the field row of a match and finds nothing for blank text", () => {
    const f = findOnCanvas(layout, "USERID");
    expect(f).toEqual([{ id: "type:Order", field: "userId", label: "Order.userId" }]);
    expect(findOnCanvas(layout, "  ")).toEqual([]);
    expect(findOnCanvas(layout, "zzz")).toEqual([]);
  });
});

describe("chains of types", () => {
  it("counts the longest chain of fields from type to type, a cycle once round", () => {
    const doc = structuredClone(shop());
    doc.schema.types = {
      A: { fields: { b: { type: "[B!]!" }, self: { type: "A" } } },
      B: { fields: { c: { type: "C" }, n: { type: "Int" } } },
      C: { fields: { a: { type: "A!" } } },
      D: { fields: { id: { type: "ID" } } },
    } as typeof doc.schema.types;
    expect(longestChain(doc, layoutCanvas(doc))).toBe(3);
    delete (doc.schema.types as Record<string, unknown>).C;
    expect(longestChain(doc, layoutCanvas(doc))).toBe(2);
  });
});
