import { describe, expect, it } from "vitest";
import { fleet, shop, trading } from "./testFixtures";
import { addField, addType, bind, setBatch, setKeyBinding, unbind } from "./ops";
import { jsonPath, parsePath, problemTarget, problemsByTarget, validate } from "./validate";
import type { Binding, WorkspaceDoc } from "./types";

/** The document with `Type.field`'s binding replaced as given (bypassing `bind`'s own checks). */
function rebind(doc: WorkspaceDoc, type: string, field: string, binding: Binding): WorkspaceDoc {
  const t = doc.schema.types[type]!;
  return {
    ...doc,
    schema: { ...doc.schema, types: { ...doc.schema.types, [type]: { ...t, fields: { ...t.fields, [field]: { ...t.fields[field]!, binding } } } } },
  };
}

describe("validate", () => {
  it("finds no problem in the fleet workspace, whose Query comes from its subgraphs", () => {
    expect(validate(fleet())).toEqual([]);
    // Without its subgraph sources the same schema does need a Query.
    const doc = fleet();
    const alone = { ...doc, sources: { maintenance: doc.sources!.maintenance! } };
    expect(validate(alone).map((p) => p.message)).toContain("the unified schema needs a `Query` type");
  });

  it("finds nothing wrong with the bundled examples", () => {
    expect(validate(shop())).toEqual([]);
    expect(validate(trading())).toEqual([]);
  });

  it("reports an unknown source and operation at their paths", () => {
    const doc = shop();
    const b = doc.schema.types.Order!.fields.user!.binding!;
    expect(validate(rebind(doc, "Order", "user", { ...b, source: "people" }))).toEqual([
      {
        code: "unknown-source",
        path: "$.schema.types.Order.fields.user.binding.source",
        message: "unknown source `people` (sources: `orders`, `users`, `products`, `search`)",
      },
    ]);
    expect(validate(rebind(doc, "Order", "user", { ...b, operation: "findUser" }))).toEqual([
      {
        code: "unknown-operation",
        path: "$.schema.types.Order.fields.user.binding.operation",
        message: "source `users` has no operation `findUser` (operations: `getUser`)",
      },
    ]);
  });

  it("reports a key parent missing on the parent type", () => {
    const doc = setKeyBinding(shop(), "Order", "user", { parent: "buyerId", input: "id" }).doc;
    const [p] = validate(doc);
    expect(p?.code).toBe("unknown-field");
    expect(p?.path).toBe("$.schema.types.Order.fields.user.binding.key.parent");
    expect(p?.message).toMatch(/^`Order` has no field `buyerId` \(fields: `id`, `userId`, `productIds`, `user`, `products`, `status`\)/);
  });

  it("reports a batch without a key", () => {
    const doc = setKeyBinding(shop(), "Order", "products", null).doc;
    const problems = validate(doc);
    expect(problems).toContainEqual({
      code: "shape",
      path: "$.schema.types.Order.fields.products.binding.batch",
      message: "a batch binding needs a `key`: the parent field whose values are batched",
    });
    expect(problems).toContainEqual({
      code: "missing-input",
      path: "$.schema.types.Order.fields.products.binding",
      message: "required input `ids` of operation `GetProducts` gets no value: add it to `args` or `key`",
    });
  });

  it("reports a list key into a non-list field", () => {
    let doc = addField(shop(), "Order", "firstProduct", "Product").doc;
    doc = bind(doc, "Order", "firstProduct", {
      source: "products",
      operation: "GetProduct",
      key: { parent: "productIds", input: "id" },
    }).doc;
    expect(validate(doc)).toEqual([
      {
        code: "type-mismatch",
        path: "$.schema.types.Order.fields.firstProduct.binding.key.parent",
        message: "key `productIds` is a list ([ID!]!), so `Order.firstProduct` must be a list type, not `Product`",
      },
    ]);
  });

  it("reports required inputs that get no value, and unknown inputs", () => {
    const doc = shop();
    const b = doc.schema.types.Query!.fields.getOrderDetails!.binding!;
    const problems = validate(rebind(doc, "Query", "getOrderDetails", { ...b, args: { orderId: { argument: "id" } } }));
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ["unknown-input", "$.schema.types.Query.fields.getOrderDetails.binding.args.orderId"],
      ["missing-input", "$.schema.types.Query.fields.getOrderDetails.binding"],
    ]);
  });

  it("reports an argument the field does not have and a mistyped one", () => {
    const doc = shop();
    const b = doc.schema.types.Query!.fields.getOrderDetails!.binding!;
    const problems = validate(rebind(doc, "Query", "getOrderDetails", { ...b, args: { id: { argument: "orderId" } } }));
    expect(problems[0]).toEqual({
      code: "unknown-argument",
      path: "$.schema.types.Query.fields.getOrderDetails.binding.args.id.argument",
      message: "`Query.getOrderDetails` has no argument `orderId` (arguments: `id`)",
    });
  });

  it("names a binding cycle and puts it on the binding that closes it", () => {
    let doc = shop();
    doc = addField(doc, "Order", "a", "ID").doc;
    doc = addField(doc, "Order", "b", "ID").doc;
    doc = bind(doc, "Order", "a", { source: "users", operation: "getUser", key: { parent: "b", input: "id" } }).doc;
    doc = bind(doc, "Order", "b", { source: "users", operation: "getUser", key: { parent: "a", input: "id" } }).doc;
    const cycles = validate(doc).filter((p) => p.code === "binding-cycle");
    expect(cycles).toEqual([
      {
        code: "binding-cycle",
        path: "$.schema.types.Order.fields.a.binding",
        message: "binding cycle: Order.a -> Order.b -> Order.a",
      },
    ]);
  });

  it("reports unknown types, invalid names and types without public fields", () => {
    let doc = addType(shop(), "Empty").doc;
    doc = {
      ...doc,
      schema: {
        ...doc.schema,
        types: {
          ...doc.schema.types,
          User: { fields: { ...doc.schema.types.User!.fields, "bad-name": { type: "String" }, friend: { type: "Person" } } },
        },
      },
    };
    const problems = validate(doc);
    expect(problems).toContainEqual({ code: "shape", path: "$.schema.types.Empty.fields", message: "type `Empty` needs at least one public field" });
    expect(problems).toContainEqual({
      code: "invalid-name",
      path: '$.schema.types.User.fields["bad-name"]',
      message: "`bad-name` is not a valid field name",
    });
    expect(problems).toContainEqual({
      code: "unknown-type",
      path: "$.schema.types.User.fields.friend.type",
      message: "unknown type `Person` (declared types: `Query`, `Order`, `User`, `Product`, `Mutation`, `Empty`, `SearchResult`, `OrderStatus`)",
    });
  });

  it("reports a batch matched by a field the result type lacks, and a non-list batch input", () => {
    const doc = setBatch(shop(), "Order", "products", { match: { field: "sku" } }).doc;
    expect(validate(doc)).toEqual([
      {
        code: "unknown-field",
        path: "$.schema.types.Order.fields.products.binding.batch.match",
        message: "`Product` has no field `sku` to match results by (fields: `id`, `name`, `price`, `currency`, `stock`)",
      },
    ]);
    const user = setBatch(shop(), "Order", "user", { match: { field: "id" } }).doc;
    expect(validate(user).map((p) => p.path)).toEqual(["$.schema.types.Order.fields.user.binding.key.input"]);
  });

  it("quotes source names that are not GraphQL names in paths", () => {
    const doc = unbind(trading(), "Event", "order").doc;
    expect(validate(doc)).toEqual([]);
    expect(jsonPath(["sources", "trading-orders", "baseUrl"])).toBe('$.sources["trading-orders"].baseUrl');
    expect(parsePath('$.sources["trading-orders"].baseUrl')).toEqual(["sources", "trading-orders", "baseUrl"]);
  });

  it("maps problems to the node or edge they belong to", () => {
    expect(problemTarget("$.schema.types.Order.fields.user.binding.key.parent")).toEqual({
      kind: "binding",
      type: "Order",
      field: "user",
      part: ["key", "parent"],
    });
    expect(problemTarget("$.schema.types.User.fields.friend.type")).toEqual({ kind: "field", type: "User", field: "friend" });
    expect(problemTarget("$.schema.types.Empty.fields")).toEqual({ kind: "type", type: "Empty" });
    expect(problemTarget("$.sources.orders")).toEqual({ kind: "other" });
    const doc = setKeyBinding(shop(), "Order", "user", { parent: "nope", input: "id" }).doc;
    expect([...problemsByTarget(validate(doc)).keys()]).toEqual(["Order.user->"]);
  });
});
