import { describe, expect, it } from "vitest";
import { childId, errorTarget, highlightErrors, nodeId, parseNodeId } from "./paths";

const response = {
  data: {
    order: {
      user: null,
      items: [{ name: "a" }, { name: null }],
      "we/ird~key": 1,
    },
  },
  errors: [
    { message: "users down", path: ["order", "user"] },
    { message: "bad product", path: ["order", "items", 1, "name"] },
    { message: "request failed" },
  ],
};

describe("error paths to tree ids", () => {
  it("maps a path with a list index to the exact node", () => {
    const t = errorTarget(response, ["order", "items", 1, "name"])!;
    expect(t.target).toBe("/data/order/items/1/name");
    expect(t.exact).toBe(true);
    expect(t.ancestors).toEqual(["", "/data", "/data/order", "/data/order/items", "/data/order/items/1"]);
  });

  it("uses the alias because the response key is the alias", () => {
    const aliased = { data: { first: { name: null }, second: { name: "x" } } };
    expect(errorTarget(aliased, ["first", "name"])!.target).toBe("/data/first/name");
  });

  it("falls back to the deepest node that exists when null propagated upwards", () => {
    const t = errorTarget({ data: { order: null } }, ["order", "user", "name"])!;
    expect(t.target).toBe("/data/order");
    expect(t.exact).toBe(false);
  });

  it("lands on data when data itself is null", () => {
    expect(errorTarget({ data: null }, ["order"])!.target).toBe("/data");
  });

  it("has no target for an error without a path", () => {
    expect(errorTarget(response, undefined)).toBeNull();
    expect(errorTarget(response, [])).toBeNull();
  });

  it("escapes slashes and tildes in keys, and parses them back", () => {
    const id = nodeId(["data", "order", "we/ird~key"]);
    expect(id).toBe("/data/order/we~1ird~0key");
    expect(childId("/data/order", "we/ird~key")).toBe(id);
    expect(parseNodeId(id)).toEqual(["data", "order", "we/ird~key"]);
  });

  it("collects every error with its messages and the trail to expand", () => {
    const h = highlightErrors(response);
    expect(h.errors.get("/data/order/user")).toEqual(["users down"]);
    expect(h.errors.get("/data/order/items/1/name")).toEqual(["bad product"]);
    expect(h.errors.size).toBe(2);
    expect(h.trail.has("/data/order/items")).toBe(true);
  });

  it("an index past the end of a list stops at the list", () => {
    expect(errorTarget(response, ["order", "items", 9])!.target).toBe("/data/order/items");
  });
});
