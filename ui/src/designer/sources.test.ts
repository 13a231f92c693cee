import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { bindingsTo, removeOperation, removeSource, renameOperation, renameSource, setRestRequest, setSourceAddress } from "./sources";
import { validate } from "./validate";
import { addField, aggregate } from "./ops";

const binding = (doc: ReturnType<typeof shop>, type: string, field: string) => doc.schema.types[type]?.fields[field]?.binding;

describe("what a source change breaks", () => {
  it("lists the bindings that call a source or one of its operations", () => {
    const doc = shop();
    expect(bindingsTo(doc, "orders").map((r) => `${r.type}.${r.field}`)).toEqual(["Query.getOrderDetails", "Mutation.placeOrder"]);
    expect(bindingsTo(doc, "orders", "placeOrder").map((r) => `${r.type}.${r.field}`)).toEqual(["Mutation.placeOrder"]);
    expect(bindingsTo(doc, "nobody")).toEqual([]);
  });
});

describe("renaming", () => {
  it("renames a source in place and rewrites every binding that calls it", () => {
    const r = renameSource(shop(), "orders", "orders-v2");
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.doc.sources ?? {})).toEqual(["orders-v2", "users", "products", "search"]);
    expect(binding(r.doc, "Query", "getOrderDetails")?.source).toBe("orders-v2");
    expect(binding(r.doc, "Mutation", "placeOrder")?.source).toBe("orders-v2");
    // Everything else is as it was, and the result passes the designer's check.
    expect(binding(r.doc, "Order", "user")?.source).toBe("users");
    expect(validate(r.doc)).toEqual(validate(shop()));
  });

  it("refuses a taken or invalid source name and leaves the document alone", () => {
    const doc = shop();
    expect(renameSource(doc, "orders", "users").error).toContain("already exists");
    expect(renameSource(doc, "orders", "my orders").error).toContain("letters, digits");
    expect(renameSource(doc, "orders", "").doc).toBe(doc);
  });

  it("renames an operation and only the bindings calling that operation", () => {
    const r = renameOperation(shop(), "orders", "getOrder", "fetchOrder");
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.doc.sources?.orders?.operations ?? {})).toEqual(["fetchOrder", "placeOrder"]);
    expect(binding(r.doc, "Query", "getOrderDetails")?.operation).toBe("fetchOrder");
    expect(binding(r.doc, "Mutation", "placeOrder")?.operation).toBe("placeOrder");
    expect(validate(r.doc)).toEqual(validate(shop()));
    expect(renameOperation(shop(), "orders", "getOrder", "placeOrder").error).toContain("already has");
  });
});

describe("deleting", () => {
  it("refuses to delete a source that bindings call, naming them", () => {
    const doc = shop();
    const r = removeSource(doc, "orders");
    expect(r.doc).toBe(doc);
    expect(r.error).toContain("`Query.getOrderDetails`, `Mutation.placeOrder`");
  });

  it("deletes it with its bindings when asked, and says which fields lost theirs", () => {
    const r = removeSource(shop(), "orders", true);
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.doc.sources ?? {})).toEqual(["users", "products", "search"]);
    expect(binding(r.doc, "Query", "getOrderDetails")).toBeUndefined();
    expect(r.warnings).toEqual(["`Query.getOrderDetails` has no binding now", "`Mutation.placeOrder` has no binding now"]);
    // The check then asks for a binding on the root fields, as knot check does.
    const paths = validate(r.doc).map((p) => p.path);
    expect(paths.some((p) => p.includes("getOrderDetails"))).toBe(true);
  });

  it("deletes a used operation only when asked, and only its bindings", () => {
    const added = shop();
    const free = removeOperation(added, "orders", "placeOrder");
    expect(free.error).toContain("Mutation.placeOrder");
    const forced = removeOperation(added, "orders", "placeOrder", true);
    expect(Object.keys(forced.doc.sources?.orders?.operations ?? {})).toEqual(["getOrder"]);
    expect(binding(forced.doc, "Mutation", "placeOrder")).toBeUndefined();
    expect(binding(forced.doc, "Query", "getOrderDetails")?.operation).toBe("getOrder");
  });

  it("changes a source's address by its kind", () => {
    const r = setSourceAddress(shop(), "products", "http://127.0.0.1:9999");
    const p = r.doc.sources?.products;
    expect(p?.kind === "grpc" && p.endpoint).toBe("http://127.0.0.1:9999");
    expect(setSourceAddress(shop(), "users", " ").error).toBeDefined();
  });
});

describe("aggregated writes", () => {
  const withAggregate = () => {
    const doc = addField(shop(), "Mutation", "touch", "Boolean").doc;
    return aggregate(doc, "Mutation", "touch", [
      { source: "users", operation: "getUser" },
      { source: "orders", operation: "getOrder" },
    ]).doc;
  };

  it("counts their targets as what a change breaks, and renames them with the source", () => {
    const doc = withAggregate();
    expect(bindingsTo(doc, "users").map((r) => [r.type, r.field, r.target ?? null])).toEqual([
      ["Order", "user", null],
      ["Mutation", "touch", "getUser"],
    ]);
    const r = renameSource(doc, "users", "people");
    expect(r.doc.schema.types.Mutation?.fields.touch?.aggregate?.targets.getUser?.source).toBe("people");
    const op = renameOperation(doc, "orders", "getOrder", "fetchOrder");
    expect(op.doc.schema.types.Mutation?.fields.touch?.aggregate?.targets.getOrder?.operation).toBe("fetchOrder");
  });

  it("drops the targets of a deleted source, and the aggregate with its last target", () => {
    const r = removeSource(withAggregate(), "users", true);
    expect(Object.keys(r.doc.schema.types.Mutation?.fields.touch?.aggregate?.targets ?? {})).toEqual(["getOrder"]);
    expect(r.warnings).toContain("`Mutation.touch` no longer writes to getUser");
    const none = removeSource(r.doc, "orders", true);
    expect(none.doc.schema.types.Mutation?.fields.touch?.aggregate).toBeUndefined();
    expect(none.doc.schema.types.Mutation?.fields.touch?.type).toBe("Boolean");
  });
});

describe("a REST operation's request", () => {
  it("changes method and path, keeping its bindings and inputs", () => {
    const r = setRestRequest(shop(), "users", "getUser", "POST", " /v2/users/{id} ");
    expect(r.error).toBeUndefined();
    const op = r.doc.sources?.users?.operations?.getUser as { method: string; path: string; inputs?: Record<string, string> };
    expect(op.method).toBe("POST");
    expect(op.path).toBe("/v2/users/{id}");
    expect(op.inputs).toEqual({ id: "ID!" });
    expect(bindingsTo(r.doc, "users", "getUser")).toEqual(bindingsTo(shop(), "users", "getUser"));
    expect(validate(r.doc)).toEqual(validate(shop()));
  });

  it("refuses a path parameter that is not an input, a path without `/`, and other kinds", () => {
    expect(setRestRequest(shop(), "users", "getUser", "GET", "/users/{userId}").error).toContain("`{userId}` in the path is not an input of users.getUser (its inputs: id)");
    expect(setRestRequest(shop(), "users", "getUser", "GET", "users").error).toContain("starts with `/`");
    expect(setRestRequest(shop(), "users", "getUser", "GET", "/a b").error).toContain("spaces");
    expect(setRestRequest(shop(), "products", "GetProducts", "GET", "/x").error).toContain("not a REST service");
    expect(setRestRequest(shop(), "users", "nope", "GET", "/x").error).toContain("no operation");
  });
});

