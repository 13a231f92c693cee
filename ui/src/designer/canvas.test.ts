import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { bind, setResult, unbind } from "./ops";
import { validate } from "./validate";
import { bindingEdgeId, layoutCanvas, opNodeId, problemCountOfType, problemsOnCanvas, typeNodeId } from "./canvas";

describe("canvas layout", () => {
  it("puts every operation in the left column and every type to its right", () => {
    const l = layoutCanvas(shop());
    expect(l.ops.map((o) => o.id)).toEqual([
      opNodeId("orders", "getOrder"),
      opNodeId("orders", "placeOrder"),
      opNodeId("users", "getUser"),
      opNodeId("products", "GetProduct"),
      opNodeId("products", "GetProducts"),
      opNodeId("search", "search"),
    ]);
    for (const o of l.ops) expect(o.x).toBe(0);
    const ys = l.ops.map((o) => o.y);
    expect(new Set(ys).size).toBe(ys.length);
    expect(l.types.map((t) => t.type)).toEqual(["Query", "Order", "User", "Product", "Mutation"]);
    for (const t of l.types) expect(t.x).toBeGreaterThan(l.ops[0]?.width ?? 0);
    const order = l.types.find((t) => t.type === "Order");
    expect(order?.fields).toEqual(["id", "userId", "productIds", "user", "products", "status"]);
  });

  it("never overlaps two types of one column", () => {
    const l = layoutCanvas(shop(), { typeColumns: 1 });
    const sorted = [...l.types].sort((a, b) => a.y - b.y);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev && cur) expect(cur.y).toBeGreaterThanOrEqual(prev.y + prev.height);
    }
  });

  it("draws one edge per binding, from the operation to the field's type", () => {
    const l = layoutCanvas(shop());
    const products = l.edges.find((e) => e.id === bindingEdgeId("Order", "products"));
    expect(products).toEqual({
      id: "bind:Order.products",
      source: opNodeId("products", "GetProducts"),
      target: typeNodeId("Order"),
      field: "products",
      type: "Order",
    });
    expect(l.edges).toHaveLength(5);
    const after = layoutCanvas(unbind(shop(), "Order", "products").doc);
    expect(after.edges).toHaveLength(4);
  });
});

describe("problems on the canvas", () => {
  it("maps problems to types, field rows and binding edges by path", () => {
    const doc = bind(shop(), "Order", "products", { source: "products", operation: "GetProducts" }).doc;
    const p = problemsOnCanvas(validate(doc), [
      { code: "shape", path: "$.schema.types.User", message: "server says" },
      { code: "shape", path: "$.sources.users.baseUrl", message: "bad url" },
    ]);
    expect(p.bindings.get("Order.products")?.length).toBeGreaterThan(0);
    expect(p.types.get("User")?.[0]?.message).toBe("server says");
    expect(p.general.map((x) => x.message)).toEqual(["bad url"]);
    expect(problemCountOfType(p, "Order", ["products"])).toBe(p.bindings.get("Order.products")?.length);
  });

  it("shows a problem both sides report once", () => {
    const same = { code: "shape", path: "$.schema.types.Order.fields.id", message: "m" };
    const p = problemsOnCanvas([same], [same]);
    expect(p.fields.get("Order.id")).toHaveLength(1);
  });
});

describe("setResult", () => {
  it("sets and removes the result path of a bound field", () => {
    const a = setResult(shop(), "Order", "products", "items");
    expect(a.doc.schema.types.Order?.fields.products?.binding?.result).toBe("items");
    const b = setResult(a.doc, "Order", "products", " ");
    expect(b.doc.schema.types.Order?.fields.products?.binding).not.toHaveProperty("result");
    expect(setResult(shop(), "Order", "id", "x").error).toBeDefined();
  });
});
