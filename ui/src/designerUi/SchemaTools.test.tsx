// The designer panel's forms as rendered (server-side rendering to markup: no DOM needed).
import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { SchemaTools } from "./SchemaTools";
import { AggregateEditor, FieldArguments } from "./BindingPanel";
import { addType, aggregate } from "../designer/ops";
import { shop } from "../designer/testFixtures";
import type { WorkspaceDoc } from "../designer";

const none = () => undefined;

function emptyWorkspace(): WorkspaceDoc {
  return { version: 1, name: "new", schema: { types: { Query: { fields: {} } } } };
}

describe("SchemaTools", () => {
  it("offers a new workspace's empty Query its first field, with no field selected", () => {
    const html = renderToStaticMarkup(<SchemaTools doc={emptyWorkspace()} type="Query" onType={none} op={null} apply={none} onError={none} />);
    expect(html).toContain('data-testid="designer-new-field"');
    expect(html).toMatch(/<option value="Query" selected="">Query<\/option>/);
  });

  it("lets the new field go to any type, an empty new one included", () => {
    const doc = addType(shop(), "Review").doc;
    const html = renderToStaticMarkup(<SchemaTools doc={doc} type="Review" onType={none} op={null} apply={none} onError={none} />);
    for (const t of ["Query", "Order", "Review"]) expect(html).toContain(`<option value="${t}"`);
    expect(html).toMatch(/<option value="Review" selected="">/);
  });

  it("offers to expose the selected operation, or all of its source, as pass-through fields", () => {
    const html = renderToStaticMarkup(
      <SchemaTools doc={shop()} type="Query" onType={none} op={{ source: "users", operation: "getUser" }} apply={none} onError={none} />,
    );
    expect(html).toContain('data-testid="designer-expose-op"');
    expect(html).toContain("Expose getUser");
    expect(html).toContain("Expose all of users");
    const none2 = renderToStaticMarkup(<SchemaTools doc={shop()} type="Query" onType={none} op={null} apply={none} onError={none} />);
    expect(none2).not.toContain("designer-expose-op");
  });

  it("has no field form when there is no type at all", () => {
    const doc: WorkspaceDoc = { version: 1, name: "x", schema: { types: {} } };
    const html = renderToStaticMarkup(<SchemaTools doc={doc} type={null} onType={none} op={null} apply={none} onError={none} />);
    expect(html).not.toContain("designer-new-field");
    expect(html).toContain("designer-new-type");
  });
});

describe("FieldArguments", () => {
  it("lists a field's arguments and offers to add one", () => {
    const html = renderToStaticMarkup(<FieldArguments doc={shop()} type="Query" field="getOrderDetails" apply={none} />);
    expect(html).toContain('data-testid="designer-field-arg-id"');
    expect(html).toContain("id: ID!");
    expect(html).toContain('data-testid="designer-new-arg"');
  });

  it("says a field without arguments has none", () => {
    const html = renderToStaticMarkup(<FieldArguments doc={shop()} type="Order" field="user" apply={none} />);
    expect(html).toContain("None.");
  });
});

describe("AggregateEditor", () => {
  it("lists every operation to tick for a Mutation field, and the targets it has", () => {
    const html = renderToStaticMarkup(<AggregateEditor doc={shop()} field="placeOrder" apply={none} />);
    expect(html).toContain('data-testid="designer-aggregate-op-users.getUser"');
    expect(html).toContain('data-testid="designer-aggregate-op-search.search"');
    expect(html).not.toContain("designer-aggregate-targets");
    const doc = aggregate(shop(), "Mutation", "placeOrder", [
      { source: "orders", operation: "placeOrder" },
      { source: "users", operation: "getUser" },
    ]).doc;
    const bound = renderToStaticMarkup(<AggregateEditor doc={doc} field="placeOrder" apply={none} />);
    expect(bound).toContain("designer-aggregate-targets");
    expect(bound).toContain("getUser → users.getUser");
    expect(bound).toContain("Bind to 2 operations");
  });
});
