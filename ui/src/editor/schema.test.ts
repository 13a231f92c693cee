import { describe, expect, it } from "vitest";
import fleet from "./fixtures/fleet.graphql?raw";
import { lintProblems } from "./schema";

// `fixtures/fleet.graphql` is what `knot schema examples/fleet.knot.json` prints (a Rust
// test, crates/knot-cli/tests/one_engine.rs, fails when it is stale): the SDL the app's
// view carries for the fleet workspace.

describe("the editor's lint on a federation workspace", () => {
  it("accepts a valid fleet query across subgraphs and the REST binding", () => {
    const query = `{ device(id: "1") { name camera { cameraLocation { street } } maintenance { technician } } }`;
    expect(lintProblems(fleet, query)).toEqual([]);
  });

  it("still names a field the public schema does not have", () => {
    const problems = lintProblems(fleet, `{ device(id: "1") { serial } }`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("serial");
  });

  it("would have flagged every line with the partial schema it used to get", () => {
    const partial = "type Device {\n  maintenance: Maintenance\n}\n\ntype Maintenance {\n  technician: String\n}\n";
    const problems = lintProblems(partial, `{ device(id: "1") { name } }`);
    expect(problems).toEqual(["Query root type must be provided."]);
  });
});
