import { describe, expect, it } from "vitest";
import { shop, trading } from "./testFixtures";
import { exposeOperations, graphqlName } from "./expose";
import { validate } from "./validate";
import type { WorkspaceDoc } from "./types";

describe("exposeOperations (pass-through)", () => {
  it("turns operations of several sources into bound root fields in one step", () => {
    const r = exposeOperations(shop(), [
      { source: "users", operation: "getUser" },
      { source: "products", operation: "GetProducts" },
      { source: "orders", operation: "placeOrder" },
      { source: "search", operation: "search" },
    ]);
    expect(r.error).toBeUndefined();
    const q = r.doc.schema.types.Query!.fields;
    expect(q.getUser).toEqual({
      type: "JSON",
      description: "users.getUser, passed through.",
      arguments: { id: { type: "ID!" } },
      binding: { source: "users", operation: "getUser", args: { id: { argument: "id" } } },
    });
    expect(q.getProducts?.arguments).toEqual({ ids: { type: "[ID!]!" } });
    // Taken names get the source's name after them; a POST is a mutation.
    expect(q.search_search?.binding?.operation).toBe("search");
    const m = r.doc.schema.types.Mutation!.fields;
    expect(m.placeOrder_orders?.binding).toEqual({
      source: "orders",
      operation: "placeOrder",
      args: { order: { argument: "order" } },
    });
    // The result is a workspace the checker accepts, and no type was added or removed.
    expect(validate(r.doc)).toEqual([]);
    expect(Object.keys(r.doc.schema.types)).toEqual(Object.keys(shop().schema.types));
  });

  it("creates the Mutation root when the first write is exposed", () => {
    const doc: WorkspaceDoc = trading();
    expect(doc.schema.types.Mutation).toBeUndefined();
    const names = Object.entries(doc.sources ?? {}).flatMap(([source, s]) =>
      Object.keys(s.operations ?? {}).map((operation) => ({ source, operation })),
    );
    const r = exposeOperations(doc, names);
    expect(r.error).toBeUndefined();
    expect(validate(r.doc)).toEqual([]);
    // The trading orders' batch lookup is a POST: it lands under Mutation (move it if it reads).
    expect(Object.keys(r.doc.schema.types.Mutation?.fields ?? {}).length).toBeGreaterThan(0);
    const bound = Object.values(r.doc.schema.types).flatMap((t) => Object.values(t.fields)).filter((f) => f.binding);
    expect(bound.length).toBeGreaterThanOrEqual(names.length);
  });

  it("refuses unknown sources and operations and an empty choice", () => {
    expect(exposeOperations(shop(), []).error).toMatch(/at least one/);
    expect(exposeOperations(shop(), [{ source: "ghost", operation: "x" }]).error).toMatch(/unknown source `ghost`/);
    expect(exposeOperations(shop(), [{ source: "users", operation: "nope" }]).error).toMatch(/no operation `nope`/);
  });

  it("makes GraphQL names of operation and input names", () => {
    expect(graphqlName("GetProduct")).toBe("getProduct");
    expect(graphqlName("knot.demo.Service/ListThings")).toBe("listThings");
    expect(graphqlName("instrument-id")).toBe("instrument_id");
    expect(graphqlName("2fa")).toBe("_2fa");
  });
});
