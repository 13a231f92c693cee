import { describe, expect, it } from "vitest";
import type { FieldView, SchemaTree } from "../bindings";
import { buildQuery } from "./build";
import { extractSelection } from "./extract";

const f = (name: string, type: string, extra: Partial<FieldView> = {}): FieldView => ({
  name, type, namedType: type.replace(/[[\]!]/g, ""), isObject: /Order|User/.test(type), isList: type.startsWith("["),
  description: "", arguments: [], binding: null, ...extra,
});

const schema: SchemaTree = {
  types: [
    { name: "Query", description: "", possibleTypes: [], fields: [f("getOrderDetails", "Order", { arguments: [{ name: "id", type: "ID!", required: true }] })] },
    { name: "Order", description: "", possibleTypes: [], fields: [f("id", "ID!"), f("user", "User")] },
    { name: "User", description: "", possibleTypes: [], fields: [f("name", "String")] },
    { name: "Mutation", description: "", possibleTypes: [], fields: [f("placeOrder", "Order", { arguments: [{ name: "input", type: "PlaceOrderInput!", required: true }] })] },
  ],
  enums: [{ name: "Speed", description: "", values: ["STANDARD", "EXPRESS"] }],
  inputs: [
    {
      name: "PlaceOrderInput",
      description: "",
      fields: [
        { name: "userId", type: "ID!", required: true },
        { name: "speed", type: "Speed", required: false },
      ],
    },
  ],
};

describe("extractSelection", () => {
  it("round-trips what the explorer builds", () => {
    const sel = ["getOrderDetails", "getOrderDetails.id", "getOrderDetails.user", "getOrderDetails.user.name"];
    const args = { getOrderDetails: { id: 'a "quoted" id' } };
    const back = extractSelection(schema, buildQuery(schema, sel, args))!;
    expect(back.selected).toEqual(sel);
    expect(back.args).toEqual(args);
  });

  it("follows aliases, fragments and variables", () => {
    const doc = `query Q($id: ID!) { o: getOrderDetails(id: $id) { ...F } }
      fragment F on Order { user { ... on User { name } } }`;
    expect(extractSelection(schema, doc)).toEqual({
      root: "Query",
      selected: ["getOrderDetails", "getOrderDetails.user", "getOrderDetails.user.name"],
      args: { getOrderDetails: { id: "$id" } },
    });
  });

  it("reads a mutation from the Mutation root with its input object field by field, and round-trips it", () => {
    const doc = `mutation { placeOrder(input: {userId: "7", speed: EXPRESS}) { id user { name } } }`;
    const back = extractSelection(schema, doc)!;
    expect(back).toEqual({
      root: "Mutation",
      selected: ["placeOrder", "placeOrder.id", "placeOrder.user", "placeOrder.user.name"],
      args: { placeOrder: { "input.userId": "7", "input.speed": "EXPRESS" } },
    });
    const rebuilt = buildQuery(schema, back.selected, back.args, { rootType: back.root });
    expect(extractSelection(schema, rebuilt)).toEqual(back);
  });

  it("puts fragments on a union's possible types on branches of their own, and round-trips them", () => {
    const withUnion: SchemaTree = {
      ...schema,
      types: [
        { ...schema.types[0]!, fields: [...schema.types[0]!.fields, f("find", "[Hit!]!", { isObject: true })] },
        ...schema.types.slice(1),
        { name: "Hit", description: "", possibleTypes: ["User", "Order"], fields: [] },
      ],
    };
    const doc = "{ find { __typename ... on User { name } ...O } } fragment O on Order { id }";
    const back = extractSelection(withUnion, doc)!;
    expect(back.selected).toEqual(["find", "find.@User", "find.@User.name", "find.@Order", "find.@Order.id"]);
    const rebuilt = buildQuery(withUnion, back.selected, back.args);
    expect(rebuilt).toContain("... on User {");
    expect(extractSelection(withUnion, rebuilt)!.selected).toEqual(back.selected);
  });

  it("returns null for a document that does not parse", () => {
    expect(extractSelection(schema, "{ getOrderDetails(")).toBeNull();
  });
});
