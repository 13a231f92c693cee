import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { exposeGrpc, exposeRest, renameSavedOperation, saveOperation } from "./savedOps";

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

  it("gives a saved operation a REST endpoint whose parameters are its variables", () => {
    const doc = saveOperation(shop(), "UserOf", "query UserOf($id: ID!, $full: Boolean) { getOrderDetails(id: $id) { user { name } } }").doc;
    const r = exposeRest(doc, "UserOf", "GET", " /orders/{id}/user ");
    expect(r.error).toBeUndefined();
    expect(r.doc.operations?.UserOf?.rest).toEqual({ method: "GET", path: "/orders/{id}/user" });
    expect(exposeRest(doc, "UserOf", "GET", "/orders/{orderId}").error).toContain("`{orderId}` in the path is not a variable of UserOf");
    expect(exposeRest(doc, "UserOf", "GET", "orders").error).toContain("starts with `/`");
    expect(exposeRest(doc, "UserOf", "GET", "/a b").error).toContain("may use");
    expect(exposeRest(doc, "UserOf", "GET", "/composite-order-details/{id}").error).toContain("already the endpoint of OrderDetails");
    expect(exposeRest(doc, "UserOf", "POST", "/composite-order-details/{id}").error).toBeUndefined();
    expect(exposeRest(doc, "Nope", "GET", "/x").error).toContain("no saved operation");
  });

  it("marks a saved operation for gRPC once, and only with a name gRPC accepts", () => {
    const doc = saveOperation(shop(), "User-Of", "{ getOrderDetails(id: \"1\") { id } }").doc;
    expect(exposeGrpc(doc, "User-Of").error).toContain("not a valid gRPC method name");
    const plain = saveOperation(shop(), "UserOf", "{ getOrderDetails(id: \"1\") { id } }").doc;
    const r = exposeGrpc(plain, "UserOf");
    expect(r.doc.operations?.UserOf?.grpc).toEqual({});
    const recorded = exposeGrpc(shop(), "OrderDetails");
    expect(recorded.doc.operations?.OrderDetails?.grpc).toEqual(shop().operations?.OrderDetails?.grpc);
  });
});
