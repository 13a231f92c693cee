import { describe, expect, it } from "vitest";
import { summarizeRun } from "./summary";

describe("summarizeRun", () => {
  it("names an anonymous run by its first field and shows its arguments", () => {
    expect(summarizeRun('query {\n  getOrderDetails(id: "1") {\n    user { name }\n  }\n}\n', null, {})).toEqual({
      title: "getOrderDetails",
      call: 'getOrderDetails(id: "1")',
      variables: "",
    });
  });

  it("keeps the operation's name and shows the variables it ran with", () => {
    const doc = "query OrderDetails($id: ID!) { getOrderDetails(id: $id) { id } }";
    expect(summarizeRun(doc, "OrderDetails", { id: "1" })).toEqual({
      title: "OrderDetails",
      call: "getOrderDetails(id: $id)",
      variables: '{"id":"1"}',
    });
  });

  it("reads through aliases, nested input objects, strings with brackets and comments", () => {
    const doc = `# place one (or two)
      mutation { a: placeOrder(input: {userId: "1) {", productIds: ["1", "2"]}) { id } }`;
    expect(summarizeRun(doc, null, null)).toEqual({
      title: "placeOrder",
      call: 'placeOrder(input: {userId: "1) {", productIds: ["1", "2"]})',
      variables: "",
    });
  });

  it("says anonymous when nothing can be read", () => {
    expect(summarizeRun("", null, {}).title).toBe("anonymous");
    expect(summarizeRun("{ }", null, {}).call).toBe("");
  });
});
