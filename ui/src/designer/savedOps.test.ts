import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { renameSavedOperation, saveOperation } from "./savedOps";

describe("saved operations", () => {
  it("saves a new document at the end and refuses to replace another by accident", () => {
    const doc = shop();
    const r = saveOperation(doc, "UserName", "{ getOrderDetails(id: \"1\") { user { name } } }");
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.doc.operations ?? {})).toEqual(["OrderDetails", "PlaceOrder", "UserName"]);
    expect(r.doc.operations?.UserName).toEqual({ document: "{ getOrderDetails(id: \"1\") { user { name } } }" });
    const again = saveOperation(r.doc, "OrderDetails", "{ x }");
    expect(again.error).toContain("already exists");
    expect(again.doc).toBe(r.doc);
  });

  it("saves over its own saved version keeping its description and REST endpoint", () => {
    const r = saveOperation(shop(), "OrderDetails", "query OrderDetails($id: ID!) { getOrderDetails(id: $id) { id } }", true);
    const op = r.doc.operations?.OrderDetails;
    expect(op?.document).toContain("getOrderDetails(id: $id) { id }");
    expect(op?.rest).toEqual(shop().operations?.OrderDetails?.rest);
    expect(op?.description).toBe(shop().operations?.OrderDetails?.description);
  });

  it("renames in place and refuses taken, bad or empty names", () => {
    const r = renameSavedOperation(shop(), "OrderDetails", "OrderById");
    expect(Object.keys(r.doc.operations ?? {})).toEqual(["OrderById", "PlaceOrder"]);
    expect(renameSavedOperation(shop(), "OrderDetails", "PlaceOrder").error).toContain("already exists");
    expect(renameSavedOperation(shop(), "OrderDetails", "a b").error).toContain("letters");
    expect(saveOperation(shop(), "X", "  ").error).toContain("empty");
  });
});
