import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { typeFromOperationOutput } from "./ops";
import { validate } from "./validate";

describe("typeFromOperationOutput", () => {
  it("maps a sample response's keys to typed fields", () => {
    const sample = {
      id: "7",
      name: "Ada",
      age: 36,
      score: 9.5,
      active: true,
      teamId: 12,
      tags: ["a", "b"],
      friendIds: ["1", "2"],
      address: { city: "Paris" },
      "first-name": "Ada",
      note: null,
    };
    const r = typeFromOperationOutput(shop(), "users", "getUser", "Person", sample);
    expect(r.error).toBeUndefined();
    expect(r.doc.schema.types.Person?.fields).toEqual({
      id: { type: "ID!" },
      name: { type: "String" },
      age: { type: "Int" },
      score: { type: "Float" },
      active: { type: "Boolean" },
      teamId: { type: "ID" },
      tags: { type: "[String]" },
      friendIds: { type: "[ID]" },
      address: { type: "JSON" },
      first_name: { type: "String", from: "first-name" },
      note: { type: "JSON" },
    });
    expect(validate(r.doc)).toEqual([]);
  });

  it("accepts JSON text and list responses (their first object)", () => {
    const r = typeFromOperationOutput(shop(), "products", "GetProducts", "Item", '[{"id": 1, "price": 2.5}]');
    expect(r.doc.schema.types.Item?.fields).toEqual({ id: { type: "ID!" }, price: { type: "Float" } });
  });

  it("starts from the operation's inputs without a sample", () => {
    const r = typeFromOperationOutput(shop(), "orders", "getOrder", "Order2");
    expect(r.doc.schema.types.Order2?.fields).toEqual({ id: { type: "ID" } });
    expect(typeFromOperationOutput(shop(), "products", "GetProducts", "P").error).toMatch(/give a sample response/);
  });

  it("refuses unknown operations, taken names and non-object samples", () => {
    const doc = shop();
    expect(typeFromOperationOutput(doc, "users", "nope", "X", {}).error).toMatch(/has no operation `nope`/);
    expect(typeFromOperationOutput(doc, "users", "getUser", "User", { id: 1 }).error).toMatch(/already exists/);
    expect(typeFromOperationOutput(doc, "users", "getUser", "X", "{oops").error).toMatch(/not JSON/);
    expect(typeFromOperationOutput(doc, "users", "getUser", "X", 42).error).toMatch(/not an object/);
  });
});
