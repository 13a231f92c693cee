import { describe, expect, it } from "vitest";
import { operationNames } from "./operations";

describe("operationNames", () => {
  it("lists named operations in order", () => {
    expect(operationNames("query A { a }\nmutation B { b }\nquery A2 { c }")).toEqual(["A", "B", "A2"]);
  });
  it("ignores anonymous queries, comments and strings", () => {
    expect(operationNames('{ a }\n# query Hidden { x }\nquery Real { f(s: "query Fake {") }')).toEqual(["Real"]);
  });
});
