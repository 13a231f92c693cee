import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { addArgument, addField, aggregate } from "./ops";
import { validate } from "./validate";
import { layoutCanvas } from "./canvas";
import type { WorkspaceDoc } from "./types";

describe("aggregate (a mutation bound to several operations at once)", () => {
  it("makes one target per operation, inputs taken from same-named arguments or input fields", () => {
    let doc = addField(shop(), "Mutation", "touch", "Boolean").doc;
    doc = addArgument(doc, "Mutation", "touch", "id", "ID!").doc;
    doc = addArgument(doc, "Mutation", "touch", "input", "PlaceOrderInput").doc;
    const r = aggregate(doc, "Mutation", "touch", [
      { source: "users", operation: "getUser" },
      { source: "products", operation: "GetProduct" },
      { source: "orders", operation: "placeOrder" },
    ]);
    expect(r.error).toBeUndefined();
    const f = r.doc.schema.types.Mutation!.fields.touch!;
    expect(f.binding).toBeUndefined();
    expect(Object.keys(f.aggregate!.targets)).toEqual(["getUser", "GetProduct", "placeOrder"]);
    expect(f.aggregate!.targets.getUser).toEqual({ source: "users", operation: "getUser", args: { id: { argument: "id" } } });
    // placeOrder's one input (`order`) matches nothing: left for the person to map.
    expect(f.aggregate!.targets.placeOrder!.args).toBeUndefined();
    // The canvas draws one edge per target into the field's row.
    const edges = layoutCanvas(r.doc).edges.filter((e) => e.field === "touch");
    expect(edges.map((e) => e.source)).toEqual(["op:users.getUser", "op:products.GetProduct", "op:orders.placeOrder"]);
    const problems = validate(r.doc).map((p) => p.path);
    expect(problems).toEqual(["$.schema.types.Mutation.fields.touch.aggregate.targets.placeOrder"]);
  });

  it("maps inputs to fields of an input-object argument by dot path", () => {
    const base = shop();
    let doc: WorkspaceDoc = {
      ...base,
      schema: { ...base.schema, inputs: { ...base.schema.inputs, Who: { fields: { id: { type: "ID!" } } } } },
    };
    doc = addField(doc, "Mutation", "register", "Boolean").doc;
    doc = addArgument(doc, "Mutation", "register", "who", "Who!").doc;
    const r = aggregate(doc, "Mutation", "register", [
      { source: "users", operation: "getUser" },
      { source: "products", operation: "GetProduct" },
    ]);
    const targets = r.doc.schema.types.Mutation!.fields.register!.aggregate!.targets;
    expect(targets.getUser!.args).toEqual({ id: { argument: "who.id" } });
    expect(targets.GetProduct!.args).toEqual({ id: { argument: "who.id" } });
    expect(validate(r.doc)).toEqual([]);
  });

  it("is refused outside Mutation and for unknown operations", () => {
    expect(aggregate(shop(), "Query", "getOrderDetails", [{ source: "users", operation: "getUser" }]).error).toMatch(/field of `Mutation`/);
    expect(aggregate(shop(), "Mutation", "placeOrder", []).error).toMatch(/at least one/);
    expect(aggregate(shop(), "Mutation", "placeOrder", [{ source: "users", operation: "x" }]).error).toMatch(/no operation `x`/);
  });
});
