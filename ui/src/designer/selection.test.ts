import { describe, expect, it } from "vitest";
import { bindOffer, NOTHING, select, type SelectionEvent } from "./selection";

const run = (...events: SelectionEvent[]) => events.reduce(select, NOTHING);
const field = (type: string, f: string): SelectionEvent => ({ kind: "field", field: { type, field: f } });
const op = (id: string | null): SelectionEvent => ({ kind: "op", id });

describe("designer selection", () => {
  it("offers Bind for an operation and the field selected next", () => {
    const s = run(op("op:products.GetProducts"), field("Order", "products"));
    expect(bindOffer(s)).toBe("op:products.GetProducts");
    expect(s.type).toBe("Order");
  });

  it("pairs with a field already selected when the operation is chosen", () => {
    const s = run(field("Order", "products"), op("op:products.GetProducts"), field("Order", "products"));
    expect(bindOffer(s)).toBe("op:products.GetProducts");
    // Choosing the operation after the field offers Bind for that field at once.
    const t = run(field("Order", "products"), op("op:products.GetProducts"));
    expect(bindOffer(t)).toBe("op:products.GetProducts");
    // ... and not for another field selected afterwards.
    expect(bindOffer(select(t, field("Order", "user")))).toBeNull();
  });

  it("never carries an operation over to the next field selected", () => {
    const s = run(op("op:products.GetProducts"), field("Order", "products"), field("Order", "user"));
    expect(bindOffer(s)).toBeNull();
    expect(s.op).toBeNull();
    expect(s.field).toEqual({ type: "Order", field: "user" });
  });

  it("drops the operation once it is bound", () => {
    const s = run(op("op:users.getUser"), field("Order", "user"), { kind: "bound" }, field("Order", "products"));
    expect(bindOffer(s)).toBeNull();
    expect(s.op).toBeNull();
  });

  it("lets a type be chosen for new fields without a field (an empty type)", () => {
    const s = run({ kind: "type", type: "Review" });
    expect(s.type).toBe("Review");
    expect(s.field).toBeNull();
    // Clicking the empty canvas keeps the type for new fields but clears the rest.
    const t = select(run(op("x"), field("Order", "user")), { kind: "pane" });
    expect(t).toEqual({ ...NOTHING, type: "Order" });
  });
});
