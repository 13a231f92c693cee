import { describe, expect, it } from "vitest";
import { shop, trading } from "./testFixtures";
import { addField, addType, bind, renameField, renameType } from "./ops";
import { validate } from "./validate";
import type { WorkspaceDoc } from "./types";

const f = (doc: WorkspaceDoc, t: string, name: string) => doc.schema.types[t]?.fields[name];

describe("renameType", () => {
  it("renames the type in place and every field type naming it, wrappers kept", () => {
    let doc = shop();
    doc = addField(doc, "Order", "related", "[Product!]!").doc;
    doc = addField(doc, "Product", "similar", "[[Product]!]").doc;
    const r = renameType(doc, "Product", "Item");
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.doc.schema.types)).toEqual(["Query", "Order", "User", "Item", "Mutation"]);
    expect(f(r.doc, "Order", "products")?.type).toBe("[Item]");
    expect(f(r.doc, "Order", "related")?.type).toBe("[Item!]!");
    expect(f(r.doc, "Item", "similar")?.type).toBe("[[Item]!]");
    expect(f(r.doc, "Item", "name")).toBe(f(doc, "Product", "name"));
    expect(validate(r.doc)).toEqual([]);
  });

  it("reports saved operations using the type in a type condition, without rewriting them", () => {
    const base = shop();
    const doc: WorkspaceDoc = {
      ...base,
      operations: {
        ...base.operations,
        WithFragment: { document: "query W { getOrderDetails(id: \"1\") { ...O } }\nfragment O on Order { id }" },
      },
    };
    const r = renameType(doc, "Order", "Purchase");
    expect(r.affectedOperations).toEqual(["WithFragment"]);
    expect(r.doc.operations?.WithFragment?.document).toContain("fragment O on Order");
    expect(f(r.doc, "Query", "getOrderDetails")?.type).toBe("Purchase");
    expect(renameType(doc, "User", "Customer").affectedOperations).toEqual([]);
  });

  it("refuses Query, clashes and invalid names", () => {
    const doc = shop();
    expect(renameType(doc, "Query", "Root").error).toMatch(/root/);
    expect(renameType(doc, "User", "Query").error).toMatch(/root type/);
    expect(renameType(doc, "User", "Order").error).toMatch(/`Order` already exists/);
    expect(renameType(doc, "User", "a-b").error).toMatch(/not a valid type name/);
    expect(renameType(doc, "Ghost", "G").error).toMatch(/no type `Ghost`/);
  });
});

describe("renameField", () => {
  it("rewrites the sibling binding key and keeps reading the same data", () => {
    const doc = shop();
    const r = renameField(doc, "Order", "userId", "buyerId");
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.doc.schema.types.Order?.fields ?? {})).toEqual(["id", "buyerId", "productIds", "user", "products", "status"]);
    expect(f(r.doc, "Order", "buyerId")).toEqual({ type: "ID!", private: true, from: "userId" });
    expect(f(r.doc, "Order", "user")?.binding?.key).toEqual({ parent: "buyerId", input: "id" });
    expect(validate(r.doc)).toEqual([]);
    // Renaming back drops the now-redundant `from`.
    const back = renameField(r.doc, "Order", "buyerId", "userId");
    expect(f(back.doc, "Order", "userId")).toEqual({ type: "ID!", private: true });
  });

  it("rewrites `args.*.parent` of sibling bindings", () => {
    let doc = shop();
    doc = addField(doc, "Order", "owner", "User").doc;
    doc = bind(doc, "Order", "owner", { source: "users", operation: "getUser", args: { id: { parent: "userId" } } }).doc;
    const r = renameField(doc, "Order", "userId", "ownerId");
    expect(f(r.doc, "Order", "owner")?.binding?.args).toEqual({ id: { parent: "ownerId" } });
    expect(validate(r.doc)).toEqual([]);
  });

  it("rewrites batch `match.field` on bindings that return the type", () => {
    const doc = trading();
    const r = renameField(doc, "Instrument", "identifier", "instrumentId");
    expect(f(r.doc, "Event", "instrument")?.binding?.batch).toEqual({ match: { field: "instrumentId" }, maxBatchSize: 100 });
    // TradeOrder also matches by `identifier`, but it is another type: untouched.
    expect(f(r.doc, "Event", "order")?.binding?.batch?.match).toEqual({ field: "identifier" });
    expect(f(r.doc, "Instrument", "instrumentId")?.from).toBe("identifier");
    expect(validate(r.doc)).toEqual([]);
    // The planner follows `from`, so nothing needs a warning (tests/trading.rs runs this case).
    expect(r.warnings).toBeUndefined();
  });

  it("rewrites only the first segment of a dotted match path", () => {
    const base = shop();
    const doc = setMatch(base, "id.value");
    const r = renameField(doc, "Product", "id", "sku");
    expect(f(r.doc, "Order", "products")?.binding?.batch?.match).toEqual({ field: "sku.value" });
  });

  it("keeps an existing `from` and adds none to bound fields", () => {
    let doc = addType(shop(), "Tag").doc;
    doc = addField(doc, "Tag", "label", "String").doc;
    const withFrom: WorkspaceDoc = {
      ...doc,
      schema: { ...doc.schema, types: { ...doc.schema.types, Tag: { fields: { label: { type: "String", from: "meta.label" } } } } },
    };
    expect(f(renameField(withFrom, "Tag", "label", "title").doc, "Tag", "title")).toEqual({ type: "String", from: "meta.label" });
    const bound = renameField(shop(), "Order", "user", "buyer");
    expect(f(bound.doc, "Order", "buyer")?.from).toBeUndefined();
    expect(f(bound.doc, "Order", "buyer")?.binding?.source).toBe("users");
  });

  it("reports the saved operations that select the field", () => {
    const doc = shop();
    expect(renameField(doc, "User", "email", "mail").affectedOperations).toEqual(["OrderDetails"]);
    expect(renameField(doc, "Order", "id", "orderId").affectedOperations).toEqual(["OrderDetails"]);
    // `Product.stock` is not selected by OrderDetails; `User.id` is, `Product.currency` is not.
    expect(renameField(doc, "Product", "stock", "inStock").affectedOperations).toEqual([]);
    expect(renameField(doc, "Product", "currency", "ccy").affectedOperations).toEqual([]);
    expect(renameField(doc, "Query", "getOrderDetails", "order").affectedOperations).toEqual(["OrderDetails"]);
    // Saved GraphQL text is never rewritten.
    expect(renameField(doc, "User", "email", "mail").doc.operations).toBe(doc.operations);
  });

  it("refuses clashes and invalid names", () => {
    const doc = shop();
    expect(renameField(doc, "Order", "user", "products").error).toMatch(/`Order` already has a field `products`/);
    expect(renameField(doc, "Order", "user", "__user").error).toMatch(/not a valid field name/);
    expect(renameField(doc, "Order", "ghost", "g").error).toMatch(/no field `Order.ghost`/);
  });
});

function setMatch(doc: WorkspaceDoc, field: string): WorkspaceDoc {
  const order = doc.schema.types.Order!;
  const products = order.fields.products!;
  return {
    ...doc,
    schema: {
      types: {
        ...doc.schema.types,
        Order: {
          ...order,
          fields: { ...order.fields, products: { ...products, binding: { ...products.binding!, batch: { match: { field } } } } },
        },
      },
    },
  };
}
