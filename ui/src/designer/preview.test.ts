import { describe, expect, it } from "vitest";
import { shop, trading } from "./testFixtures";
import { previewBinding } from "./preview";
import { renameField, setArgBinding, setBatch, setPrivate } from "./ops";

describe("previewBinding", () => {
  it("sends the parent's key for a single binding (shop Order.user)", () => {
    const p = previewBinding(shop(), "Order", "user", { id: "1", userId: "7" });
    expect(p).toEqual({ ok: true, mode: "single", calls: [{ inputs: { id: "7" }, parents: [0] }], keys: ["7"], missing: [] });
  });

  it("makes one call per distinct key and none for a null key", () => {
    const p = previewBinding(shop(), "Order", "user", [{ userId: "7" }, { userId: "8" }, { userId: "7" }, { userId: null }]);
    if (!p.ok) throw new Error(p.error);
    expect(p.calls).toEqual([
      { inputs: { id: "7" }, parents: [0, 2] },
      { inputs: { id: "8" }, parents: [1] },
    ]);
  });

  it("reads a renamed key field through its `from`", () => {
    const doc = renameField(shop(), "Order", "userId", "buyerId").doc;
    const p = previewBinding(doc, "Order", "user", { userId: "7" });
    expect(p.ok && p.calls[0]?.inputs).toEqual({ id: "7" });
  });

  it("sends the deduplicated key list in one call for a batch binding (shop Order.products)", () => {
    const p = previewBinding(shop(), "Order", "products", [
      { productIds: ["1", "2"] },
      { productIds: ["2", "3"] },
      { productIds: [] },
    ]);
    expect(p).toEqual({
      ok: true,
      mode: "batch",
      calls: [{ inputs: { ids: ["1", "2", "3"] }, parents: [0, 1] }],
      keys: ["1", "2", "3"],
      missing: [],
    });
  });

  it("treats 7 and \"7\" as one key and splits batches by maxBatchSize", () => {
    const doc = setBatch(trading(), "Event", "instrument", { match: { field: "identifier" }, maxBatchSize: 2 }).doc;
    const parents = ["a", "b", "a", "c", 7, "7"].map((k) => ({ instrumentIdentifier: k }));
    const p = previewBinding(doc, "Event", "instrument", parents);
    if (!p.ok) throw new Error(p.error);
    expect(p.calls.map((c) => c.inputs)).toEqual([{ ids: ["a", "b"] }, { ids: ["c", 7] }]);
    expect(p.calls[1]?.parents).toEqual([3, 4, 5]);
  });

  it("fills arguments, environment values and literals; reports what is missing", () => {
    const doc = setArgBinding(trading(), "Query", "events", "region", { env: "REGION" }).doc;
    const withLit = setArgBinding(doc, "Query", "events", "limit", { value: 10 }).doc;
    const p = previewBinding(withLit, "Query", "events", {}, { args: { date: "2024-01-02" }, env: { REGION: "eu" } });
    expect(p.ok && p.calls).toEqual([{ inputs: { date: "2024-01-02", region: "eu", limit: 10 }, parents: [0] }]);
    const q = previewBinding(withLit, "Query", "events", {});
    expect(q.ok && q.missing).toEqual(["argument date", "env REGION"]);
    expect(q.ok && q.calls[0]?.inputs).toEqual({ date: null, region: null, limit: 10 });
  });

  it("explains why there is nothing to preview", () => {
    expect(previewBinding(shop(), "Order", "id", {})).toEqual({ ok: false, error: "`Order.id` is not bound to an operation" });
    expect(previewBinding(setPrivate(shop(), "Order", "x", true).doc, "Order", "x", {}).ok).toBe(false);
  });
});
