import { describe, expect, it } from "vitest";
import type { SchemaTree, FieldView } from "../bindings";
import { argumentLiteral, buildQuery, closePaths, quoteString, untick } from "./build";

function field(name: string, type: string, extra: Partial<FieldView> = {}): FieldView {
  const named = type.replace(/[[\]!]/g, "");
  return {
    name,
    type,
    namedType: named,
    isObject: !["ID", "String", "Int", "Float", "Boolean"].includes(named),
    isList: type.replace(/!$/, "").startsWith("["),
    description: "",
    arguments: [],
    binding: null,
    ...extra,
  };
}

const shop: SchemaTree = {
  types: [
    {
      name: "Query",
      description: "",
      possibleTypes: [],
      fields: [
        field("getOrderDetails", "Order", { arguments: [{ name: "id", type: "ID!", required: true }] }),
        field("search", "[Product]", {
          arguments: [
            { name: "text", type: "String", required: false },
            { name: "limit", type: "Int", required: false },
            { name: "ids", type: "[ID!]", required: false },
          ],
        }),
      ],
    },
    { name: "Order", description: "", possibleTypes: [], fields: [field("id", "ID!"), field("user", "User"), field("products", "[Product]")] },
    { name: "User", description: "", possibleTypes: [], fields: [field("id", "ID!"), field("name", "String")] },
    { name: "Product", description: "", possibleTypes: [], fields: [field("id", "ID!"), field("name", "String"), field("price", "Float")] },
  ],
  enums: [],
  inputs: [],
};

/** The shop's mutation: an input object (with an enum and a nested input) and an enum result. */
const withMutation: SchemaTree = {
  types: [
    ...shop.types,
    {
      name: "Mutation",
      description: "",
      possibleTypes: [],
      fields: [field("placeOrder", "Order", { arguments: [{ name: "input", type: "PlaceOrderInput!", required: true }] })],
    },
  ],
  enums: [{ name: "Speed", description: "", values: ["STANDARD", "EXPRESS"] }],
  inputs: [
    {
      name: "PlaceOrderInput",
      description: "",
      fields: [
        { name: "userId", type: "ID!", required: true },
        { name: "productIds", type: "[ID!]!", required: true },
        { name: "speed", type: "Speed", required: false },
        { name: "address", type: "Address", required: false },
      ],
    },
    { name: "Address", description: "", fields: [{ name: "city", type: "String", required: false }] },
  ],
};

describe("buildQuery", () => {
  it("nests selections under their parents with the argument quoted", () => {
    const doc = buildQuery(
      shop,
      ["getOrderDetails", "getOrderDetails.user.name", "getOrderDetails.products.name", "getOrderDetails.products.price"],
      { getOrderDetails: { id: "1" } },
    );
    expect(doc).toBe(
      [
        "query {",
        '  getOrderDetails(id: "1") {',
        "    user {",
        "      name",
        "    }",
        "    products {",
        "      name",
        "      price",
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("follows schema order, not tick order", () => {
    const a = buildQuery(shop, ["getOrderDetails.products.price", "getOrderDetails.user.name", "getOrderDetails.id"], {});
    const b = buildQuery(shop, ["getOrderDetails.id", "getOrderDetails.user.name", "getOrderDetails.products.price"], {});
    expect(a).toBe(b);
    expect(a.indexOf("id")).toBeLessThan(a.indexOf("user"));
    expect(a.indexOf("user")).toBeLessThan(a.indexOf("products"));
  });

  it("ticking a leaf implies its parents", () => {
    const doc = buildQuery(shop, ["getOrderDetails.user.name"], { getOrderDetails: { id: "7" } });
    expect(doc).toContain('getOrderDetails(id: "7") {');
    expect(doc).toContain("user {");
  });

  it("keeps an object with no ticked subfield valid with __typename", () => {
    const doc = buildQuery(shop, ["getOrderDetails"], { getOrderDetails: { id: "1" } });
    expect(doc).toContain("__typename");
  });

  it("returns an empty document when nothing is ticked", () => {
    expect(buildQuery(shop, [], {})).toBe("");
  });

  it("leaves variable references untouched and declares them with the argument type", () => {
    const doc = buildQuery(shop, ["getOrderDetails.id"], { getOrderDetails: { id: "$orderId" } }, { operationName: "OrderDetails" });
    expect(doc.startsWith("query OrderDetails($orderId: ID!) {")).toBe(true);
    expect(doc).toContain("getOrderDetails(id: $orderId)");
  });

  it("omits blank arguments and writes numbers and lists by type", () => {
    const doc = buildQuery(shop, ["search.name"], { search: { text: "  ", limit: "10", ids: "1, 2" } });
    expect(doc).toContain('search(limit: 10, ids: ["1", "2"])');
  });

  it("escapes quotes, backslashes and newlines in string arguments", () => {
    const doc = buildQuery(shop, ["search.name"], { search: { text: 'say "hi"\\\nnow' } });
    expect(doc).toContain('search(text: "say \\"hi\\"\\\\\\nnow")');
  });

  it("writes a mutation from the Mutation root with an input object built from its nested form", () => {
    const doc = buildQuery(
      withMutation,
      ["placeOrder.id"],
      { placeOrder: { "input.userId": "1", "input.productIds": "1, 2", "input.speed": "EXPRESS", "input.address.city": "Oslo" } },
      { rootType: "Mutation" },
    );
    expect(doc).toBe(
      [
        "mutation {",
        '  placeOrder(input: {userId: "1", productIds: ["1", "2"], speed: EXPRESS, address: {city: "Oslo"}}) {',
        "    id",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("leaves out blank nested fields and an input object with none filled in", () => {
    const partial = buildQuery(withMutation, ["placeOrder.id"], { placeOrder: { "input.userId": "1", "input.address.city": " " } }, { rootType: "Mutation" });
    expect(partial).toContain('placeOrder(input: {userId: "1"}) {');
    const none = buildQuery(withMutation, ["placeOrder.id"], { placeOrder: { "input.userId": "" } }, { rootType: "Mutation" });
    expect(none).toContain("  placeOrder {");
  });

  it("prefers an input object typed whole (a variable) over its nested form, and declares it", () => {
    const doc = buildQuery(withMutation, ["placeOrder.id"], { placeOrder: { input: "$order", "input.userId": "1" } }, { rootType: "Mutation" });
    expect(doc.startsWith("mutation($order: PlaceOrderInput!) {")).toBe(true);
    expect(doc).toContain("placeOrder(input: $order)");
  });

  it("declares a variable typed inside a nested form with the input field's type", () => {
    const doc = buildQuery(withMutation, ["placeOrder.id"], { placeOrder: { "input.userId": "$who" } }, { rootType: "Mutation" });
    expect(doc.startsWith("mutation($who: ID!) {")).toBe(true);
  });

  it("writes a fragment per possible type of a union, asking for __typename", () => {
    const withSearch: SchemaTree = {
      ...shop,
      types: [
        {
          ...shop.types[0]!,
          fields: [...shop.types[0]!.fields, field("find", "[SearchResult!]!", { isObject: true, arguments: [{ name: "text", type: "String!", required: true }] })],
        },
        ...shop.types.slice(1),
        { name: "SearchResult", description: "", possibleTypes: ["User", "Product"], fields: [] },
      ],
    };
    const doc = buildQuery(withSearch, ["find.@User.name", "find.@Product.name", "find.@Product.price"], { find: { text: "a" } });
    expect(doc).toBe(
      [
        "query {",
        '  find(text: "a") {',
        "    __typename",
        "    ... on User {",
        "      name",
        "    }",
        "    ... on Product {",
        "      name",
        "      price",
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    // A union with nothing ticked inside still gets a valid selection.
    expect(buildQuery(withSearch, ["find"], {})).toContain("find {\n    __typename\n  }");
  });

  it("ignores paths that the schema does not have", () => {
    expect(buildQuery(shop, ["nope.x"], {})).toBe("");
  });
});

describe("argumentLiteral", () => {
  it("quotes an ID even when it looks like a number", () => {
    expect(argumentLiteral("42", "ID!")).toBe('"42"');
  });
  it("keeps a valid Int bare and quotes an invalid one (the server reports it)", () => {
    expect(argumentLiteral("12", "Int")).toBe("12");
    expect(argumentLiteral("12abc", "Int")).toBe('"12abc"');
  });
  it("accepts floats with exponents and booleans", () => {
    expect(argumentLiteral("-1.5e3", "Float!")).toBe("-1.5e3");
    expect(argumentLiteral("true", "Boolean")).toBe("true");
  });
  it("turns JSON lists and objects into GraphQL literals", () => {
    expect(argumentLiteral('["a", "b\\"c"]', "[String]")).toBe('["a", "b\\"c"]');
    expect(argumentLiteral('{"first": 2, "after": "x"}', "PageInput")).toBe('{first: 2, after: "x"}');
  });
  it("writes enum values bare", () => {
    expect(argumentLiteral("ASC", "SortOrder")).toBe("ASC");
  });
  it("escapes control characters as unicode", () => {
    expect(quoteString("a\u0001b")).toBe('"a\\u0001b"');
  });
});

describe("selection helpers", () => {
  it("closes paths over their prefixes", () => {
    expect([...closePaths(["a.b.c"])].sort()).toEqual(["a", "a.b", "a.b.c"]);
  });
  it("unticking removes the subtree but not siblings with a shared prefix", () => {
    const left = untick(["a", "a.b", "a.b.c", "a.bc"], "a.b");
    expect([...left].sort()).toEqual(["a", "a.bc"]);
  });
});
