import { describe, expect, it } from "vitest";
import { nodeCaption } from "./caption";

describe("nodeCaption", () => {
  it("puts the alias in front of an aliased field", () => {
    expect(nodeCaption({ label: "Mutation.placeOrder", path: ["a"] })).toBe("a: Mutation.placeOrder");
    expect(nodeCaption({ label: "Order.user", path: ["a", "buyer"] })).toBe("buyer: Order.user");
  });
  it("keeps the label of a field under its own name", () => {
    expect(nodeCaption({ label: "Order.user", path: ["a", "user"] })).toBe("Order.user");
    expect(nodeCaption({ label: "Query.getOrderDetails", path: ["getOrderDetails"] })).toBe("Query.getOrderDetails");
  });
  it("keeps a label with no path (federation steps)", () => {
    expect(nodeCaption({ label: "products", path: [] })).toBe("products");
  });
});
