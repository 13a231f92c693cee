import { describe, expect, it } from "vitest";
import { parse } from "graphql";
import { shop, trading } from "./testFixtures";
import { tryItQuery, pathToType } from "./tryit";
import { setPrivate } from "./ops";

describe("tryItQuery", () => {
  it("reaches shop's Order.products through getOrderDetails with $id: ID!", () => {
    const t = tryItQuery(shop(), "Order", "products");
    if (!t.ok) throw new Error(t.error);
    expect(t.query).toContain("($id: ID!)");
    expect(t.query).toContain("getOrderDetails(id: $id)");
    expect(t.query).toBe(
      [
        "query TryOrderProducts($id: ID!) {",
        "  getOrderDetails(id: $id) {",
        "    products {",
        "      id",
        "      name",
        "      price",
        "      currency",
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    expect(t.variables).toEqual({ id: null });
    expect(t.path).toEqual(["getOrderDetails", "products"]);
    expect(() => parse(t.query)).not.toThrow();
  });

  it("tries a Query field directly and a scalar leaf without a selection", () => {
    const t = tryItQuery(trading(), "Query", "events");
    expect(t.ok && t.query).toBe(
      'query TryQueryEvents($date: String!) {\n  events(date: $date) {\n    id\n    date\n    kind\n  }\n}\n',
    );
    const leaf = tryItQuery(trading(), "Instrument", "symbol");
    expect(leaf.ok && leaf.query).toContain("    instrument {\n      symbol\n    }");
  });

  it("skips private fields in the selection and refuses private targets", () => {
    const t = tryItQuery(shop(), "Query", "getOrderDetails");
    expect(t.ok && t.query).toContain("getOrderDetails(id: $id) {\n    id\n    status\n  }");
    expect(tryItQuery(shop(), "Order", "userId")).toEqual({ ok: false, error: "`Order.userId` is private and cannot be queried" });
  });

  it("says when a type cannot be reached from Query", () => {
    const doc = setPrivate(shop(), "Order", "user", true).doc;
    expect(pathToType(doc, "User")).toBeNull();
    expect(tryItQuery(doc, "User", "name")).toEqual({ ok: false, error: "`User` cannot be reached from `Query` through public fields" });
  });
});
