import { describe, expect, it } from "vitest";
import { shop, trading } from "./testFixtures";
import {
  addArgument,
  addField,
  addType,
  bind,
  removeArgument,
  removeField,
  removeType,
  setArgBinding,
  setBatch,
  setKeyBinding,
  setPrivate,
  unbind,
} from "./ops";
import { validate } from "./validate";
import type { WorkspaceDoc } from "./types";

const f = (doc: WorkspaceDoc, t: string, name: string) => doc.schema.types[t]?.fields[name];

describe("field arguments", () => {
  it("gives a new type's first field an argument and binds it to an operation input", () => {
    let doc = addType(shop(), "Review").doc;
    // The first field of a type that has none yet.
    const first = addField(doc, "Review", "stars", "Int!");
    expect(first.error).toBeUndefined();
    expect(Object.keys(first.doc.schema.types.Review?.fields ?? {})).toEqual(["stars"]);
    doc = addField(first.doc, "Query", "review", "Review").doc;
    const a = addArgument(doc, "Query", "review", "id", "ID!");
    expect(a.error).toBeUndefined();
    expect(f(a.doc, "Query", "review")?.arguments).toEqual({ id: { type: "ID!" } });
    const b = addArgument(a.doc, "Query", "review", "tags", "[String!]");
    expect(Object.keys(f(b.doc, "Query", "review")?.arguments ?? {})).toEqual(["id", "tags"]);
    // The argument's problems are none; the field still wants a binding (Query has no parent).
    const problems = validate(b.doc).filter((p) => p.path.includes("review"));
    expect(problems.map((p) => p.path)).not.toContain("$.schema.types.Query.fields.review.arguments.id");
  });

  it("refuses bad, duplicate and non-scalar arguments", () => {
    const doc = shop();
    expect(addArgument(doc, "Query", "nope", "id", "ID").error).toMatch(/no field/);
    expect(addArgument(doc, "Query", "getOrderDetails", "id", "ID").error).toMatch(/already has an argument `id`/);
    expect(addArgument(doc, "Query", "getOrderDetails", "9x", "ID").error).toMatch(/not a valid argument name/);
    expect(addArgument(doc, "Query", "getOrderDetails", "order", "Order").error).toMatch(/built from scalars/);
    expect(addArgument(doc, "Query", "getOrderDetails", "x", "[ID").error).toBeDefined();
  });

  it("removes an argument unless the binding sends it", () => {
    const doc = shop();
    // getOrderDetails(id) is sent to the orders operation's id input.
    expect(removeArgument(doc, "Query", "getOrderDetails", "id").error).toMatch(/still sent to input `id`/);
    const added = addArgument(doc, "Query", "getOrderDetails", "verbose", "Boolean").doc;
    const removed = removeArgument(added, "Query", "getOrderDetails", "verbose");
    expect(removed.error).toBeUndefined();
    expect(f(removed.doc, "Query", "getOrderDetails")).toEqual(f(doc, "Query", "getOrderDetails"));
    expect(removeArgument(doc, "Query", "getOrderDetails", "verbose").error).toMatch(/has no argument/);
  });
});

describe("types and fields", () => {
  it("adds a type and a field, leaving the input untouched", () => {
    const before = shop();
    const a = addType(before, "Review");
    expect(a.error).toBeUndefined();
    expect(a.doc.schema.types.Review).toEqual({ fields: {} });
    expect(before.schema.types.Review).toBeUndefined();
    const b = addField(a.doc, "Review", "stars", "Int!");
    expect(f(b.doc, "Review", "stars")).toEqual({ type: "Int!" });
    const c = addField(b.doc, "Product", "reviews", "[Review!]!");
    expect(f(c.doc, "Product", "reviews")?.type).toBe("[Review!]!");
    // Other parts of the document are shared, not copied.
    expect(c.doc.sources).toBe(before.sources);
    expect(c.doc.schema.types.Order).toBe(before.schema.types.Order);
  });

  it("refuses bad or duplicate names and unknown field types", () => {
    const doc = shop();
    expect(addType(doc, "Order").error).toMatch(/type `Order` already exists/);
    expect(addType(doc, "9lives").error).toMatch(/not a valid type name/);
    expect(addType(doc, "String").error).toMatch(/built-in scalar/);
    expect(addType(doc, "__Meta").error).toMatch(/not a valid type name/);
    expect(addField(doc, "Order", "user", "User").error).toMatch(/`Order` already has a field `user`/);
    expect(addField(doc, "Order", "coupon", "Coupon").error).toMatch(/`Order.coupon`: unknown type `Coupon`/);
    expect(addField(doc, "Order", "total", "[Float").error).toMatch(/closing `]`/);
    expect(addField(doc, "Nope", "x", "Int").error).toMatch(/no type `Nope`/);
    // A refused edit hands back the very same document.
    expect(addType(doc, "Order").doc).toBe(doc);
  });

  it("refuses to remove a type while a field uses it, naming the field", () => {
    const doc = shop();
    const r = removeType(doc, "User");
    expect(r.error).toBe("type `User` is still used by `Order.user`; change or remove those fields first");
    expect(r.doc).toBe(doc);
    expect(removeType(doc, "Query").error).toMatch(/root/);
    const unbound = removeField(doc, "Order", "user").doc;
    const gone = removeType(unbound, "User");
    expect(gone.error).toBeUndefined();
    expect(Object.keys(gone.doc.schema.types)).toEqual(["Query", "Order", "Product", "Mutation"]);
  });

  it("refuses to remove a field a binding reads", () => {
    const doc = shop();
    expect(removeField(doc, "Order", "userId").error).toBe(
      "`Order.userId` is still read by Order.user (key); change those bindings first",
    );
    expect(removeField(doc, "Product", "id").error).toMatch(/Order.products \(batch match\)/);
    const r = removeField(doc, "Product", "stock");
    expect(Object.keys(r.doc.schema.types.Product?.fields ?? {})).toEqual(["id", "name", "price", "currency"]);
  });

  it("toggles private, dropping the key when public", () => {
    const doc = shop();
    const pub = setPrivate(doc, "Order", "userId", false);
    expect(f(pub.doc, "Order", "userId")).toEqual({ type: "ID!" });
    expect("private" in (f(pub.doc, "Order", "userId") ?? {})).toBe(false);
    const priv = setPrivate(pub.doc, "User", "email", true);
    expect(f(priv.doc, "User", "email")).toEqual({ type: "String", private: true });
    // Already private: nothing changes.
    expect(setPrivate(doc, "Order", "userId", true).doc).toBe(doc);
    expect(setPrivate(doc, "Order", "nope", true).error).toMatch(/no field `Order.nope`/);
  });
});

describe("bindings", () => {
  it("binds a field with key and args, in file order, and drops its `from`", () => {
    let doc = addField(shop(), "Order", "buyer", "User").doc;
    doc = { ...doc, schema: { ...doc.schema, types: { ...doc.schema.types, Order: { fields: { ...doc.schema.types.Order!.fields, buyer: { type: "User", from: "buyer" } } } } } };
    const r = bind(doc, "Order", "buyer", {
      source: "users",
      operation: "getUser",
      key: { parent: "userId", input: "id" },
      result: "user",
    });
    expect(r.error).toBeUndefined();
    expect(f(r.doc, "Order", "buyer")).toEqual({
      type: "User",
      binding: { source: "users", operation: "getUser", key: { parent: "userId", input: "id" }, result: "user" },
    });
    expect(Object.keys(f(r.doc, "Order", "buyer")?.binding ?? {})).toEqual(["source", "operation", "key", "result"]);
    expect(validate(r.doc)).toEqual([]);
  });

  it("refuses unknown sources and operations", () => {
    const doc = shop();
    expect(bind(doc, "User", "name", { source: "ghost", operation: "x" }).error).toBe(
      "`User.name`: unknown source `ghost` (sources: `orders`, `users`, `products`, `search`)",
    );
    expect(bind(doc, "User", "name", { source: "users", operation: "listUsers" }).error).toMatch(
      /source `users` has no operation `listUsers`/,
    );
  });

  it("unbinds a field, keeping its other keys", () => {
    const doc = shop();
    const r = unbind(doc, "Order", "user");
    expect(f(r.doc, "Order", "user")).toEqual({ type: "User" });
    expect(f(doc, "Order", "user")?.binding?.source).toBe("users");
    expect(unbind(r.doc, "Order", "user").error).toMatch(/not bound/);
    // Unbinding a Query field leaves it with no data: the checker says so.
    const q = unbind(doc, "Query", "getOrderDetails");
    expect(validate(q.doc).map((p) => p.path)).toContain("$.schema.types.Query.fields.getOrderDetails");
  });

  it("sets and clears argument bindings", () => {
    const doc = trading();
    const withLimit = setArgBinding(doc, "Query", "events", "date", { env: "EVENTS_URL" });
    expect(f(withLimit.doc, "Query", "events")?.binding?.args).toEqual({ date: { env: "EVENTS_URL" } });
    const cleared = setArgBinding(withLimit.doc, "Query", "events", "date", null);
    expect(f(cleared.doc, "Query", "events")?.binding).toEqual({ source: "events", operation: "listEvents" });
    expect(validate(cleared.doc)).toEqual([
      {
        code: "missing-input",
        path: "$.schema.types.Query.fields.events.binding",
        message: "required input `date` of operation `listEvents` gets no value: add it to `args` or `key`",
      },
    ]);
    expect(setArgBinding(doc, "Event", "id", "x", { value: 1 }).error).toMatch(/`Event.id` is not bound/);
  });

  it("sets, changes and removes a batch", () => {
    const doc = shop();
    const off = setBatch(doc, "Order", "products", null);
    expect(f(off.doc, "Order", "products")?.binding?.batch).toBeUndefined();
    // Without the batch a list input no longer fits a per-key call.
    expect(validate(off.doc).map((p) => p.path)).toEqual(["$.schema.types.Order.fields.products.binding.key.input"]);
    const on = setBatch(off.doc, "Order", "products", { match: "order", maxBatchSize: 50 });
    expect(f(on.doc, "Order", "products")?.binding?.batch).toEqual({ match: "order", maxBatchSize: 50 });
    expect(Object.keys(f(on.doc, "Order", "products")?.binding ?? {})).toEqual(["source", "operation", "key", "result", "batch"]);
    expect(setBatch(doc, "Order", "products", { match: { field: " " } }).error).toMatch(/needs the field's name/);
  });

  it("sets and removes a key", () => {
    const doc = shop();
    const r = setKeyBinding(doc, "Order", "user", null);
    expect(f(r.doc, "Order", "user")?.binding).toEqual({ source: "users", operation: "getUser" });
  });

  it("keeps keys it does not know about", () => {
    const odd = JSON.parse(JSON.stringify(shop())) as WorkspaceDoc & { x_extra: number };
    odd.x_extra = 1;
    (odd.schema.types.Order as unknown as Record<string, unknown>).x_note = "kept";
    const r = setPrivate(odd, "Order", "userId", false);
    expect((r.doc as typeof odd).x_extra).toBe(1);
    expect((r.doc.schema.types.Order as unknown as Record<string, unknown>).x_note).toBe("kept");
  });
});
