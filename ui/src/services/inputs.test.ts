import { describe, expect, it } from "vitest";
import { inputValue, inputValues, parseInputList, pathParams, restOperation } from "./inputs";

describe("REST operation forms", () => {
  it("finds path parameters once each, in order", () => {
    expect(pathParams("/orders/{id}/items/{itemId}/{id}")).toEqual(["id", "itemId"]);
    expect(pathParams("/health")).toEqual([]);
  });

  it("makes path parameters required IDs and keeps extra inputs", () => {
    const { op, errors } = restOperation("getOrder", "get", "/orders/{id}", "expand: Boolean");
    expect(errors).toEqual([]);
    expect(op.method).toBe("GET");
    expect(op.inputs).toEqual([
      { name: "id", type: "ID!", required: true },
      { name: "expand", type: "Boolean", required: false },
    ]);
  });

  it("lets a listed type override a path parameter's default", () => {
    const { op } = restOperation("byNumber", "GET", "/n/{n}", "n: Int!");
    expect(op.inputs).toEqual([{ name: "n", type: "Int!", required: true }]);
  });

  it("reports a missing name, a bad path and bad inputs", () => {
    expect(restOperation("", "GET", "orders", "").errors).toHaveLength(2);
    expect(parseInputList("ok: String, 9bad: Int, x: [Int!]!, x: Int").errors).toHaveLength(2);
    expect(parseInputList("plain").inputs).toEqual([{ name: "plain", type: "String", required: false }]);
  });
});

describe("operation input values", () => {
  it("converts by type and leaves blanks out", () => {
    expect(
      inputValues(
        [
          { name: "id", type: "ID!", required: true },
          { name: "limit", type: "Int", required: false },
          { name: "on", type: "Boolean", required: false },
          { name: "skip", type: "String", required: false },
        ],
        { id: "7", limit: "10", on: "true", skip: "  " },
      ),
    ).toEqual({ id: "7", limit: 10, on: true });
  });

  it("reads lists as JSON or comma-separated items", () => {
    expect(inputValue("1, 2,3", "[ID!]!")).toEqual(["1", "2", "3"]);
    expect(inputValue("[1, 2]", "[Int]")).toEqual([1, 2]);
    expect(inputValue("4, 5", "[Int]")).toEqual([4, 5]);
  });
});
