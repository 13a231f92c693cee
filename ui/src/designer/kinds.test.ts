import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { addEnum, addInput, addUnion, removeKind } from "./kinds";
import { addArgument, addField } from "./ops";
import { validate } from "./validate";

describe("enums, unions and input objects in the designer", () => {
  it("adds an enum whose values keep the services' spelling", () => {
    const r = addEnum(shop(), "Shipping", "standard, next-day,EXPRESS");
    expect(r.error).toBeUndefined();
    expect(r.doc.schema.enums?.Shipping).toEqual({
      values: { STANDARD: { from: "standard" }, NEXT_DAY: { from: "next-day" }, EXPRESS: {} },
    });
    const used = addField(r.doc, "Order", "shipping", "Shipping").doc;
    expect(validate(used)).toEqual([]);
    expect(addEnum(shop(), "OrderStatus", "a").error).toMatch(/already the name of a enum/);
    expect(addEnum(shop(), "Empty", " , ").error).toMatch(/at least one value/);
    expect(addEnum(shop(), "Twice", "a-b, a_b").error).toMatch(/both become `A_B`/);
  });

  it("adds a union of object types, told apart by a discriminator", () => {
    const r = addUnion(shop(), "Hit", "User | Product", "kind");
    expect(r.doc.schema.unions?.Hit).toEqual({
      types: ["User", "Product"],
      discriminator: { field: "kind", values: { User: "user", Product: "product" } },
    });
    const plain = addUnion(shop(), "Hit", "User|Product", "").doc.schema.unions?.Hit;
    expect(plain).toEqual({ types: ["User", "Product"] });
    expect(addUnion(shop(), "Hit", "User | Nope", "").error).toMatch(/`Nope` is not an object type/);
    const used = addField(r.doc, "Order", "related", "[Hit!]").doc;
    expect(validate(used)).toEqual([]);
  });

  it("adds an input object from `name: Type` fields, usable as an argument type", () => {
    const r = addInput(shop(), "Filter", "status: OrderStatus, ids: [ID!]!");
    expect(r.doc.schema.inputs?.Filter).toEqual({ fields: { status: { type: "OrderStatus" }, ids: { type: "[ID!]!" } } });
    expect(addArgument(r.doc, "Query", "getOrderDetails", "filter", "Filter").error).toBeUndefined();
    expect(addInput(shop(), "Bad", "o: Order").error).toMatch(/not a scalar, enum or input type/);
    expect(addInput(shop(), "Bad", "").error).toMatch(/at least one field/);
  });

  it("removes one only when nothing uses it", () => {
    expect(removeKind(shop(), "OrderStatus").error).toMatch(/still used by `Order.status`/);
    const added = addEnum(shop(), "Spare", "x").doc;
    const r = removeKind(added, "Spare");
    expect(r.error).toBeUndefined();
    expect(r.doc.schema.enums?.Spare).toBeUndefined();
    expect(removeKind(shop(), "Nothing").error).toMatch(/no enum, union or input type/);
  });
});
