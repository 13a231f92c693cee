import { describe, expect, it } from "vitest";
import { draftOf, draftProblems, newRow, toInputs } from "./draft";

describe("environment draft", () => {
  const rows = draftOf({
    name: "local",
    variables: [
      { name: "URL", value: "http://x", secret: false, stored: false },
      { name: "TOKEN", value: "", secret: true, stored: true },
    ],
  });
  it("keeps a stored secret's value out of the draft and the inputs", () => {
    expect(rows[1]).toMatchObject({ name: "TOKEN", value: "", secret: true, stored: true });
    expect(toInputs(rows)).toEqual([
      { name: "URL", value: "http://x", secret: false },
      { name: "TOKEN", value: "", secret: true },
    ]);
  });
  it("reports blank, invalid and duplicate names", () => {
    expect(draftProblems("local", rows)).toEqual([]);
    expect(draftProblems(" ", rows)).toEqual(["The environment needs a name."]);
    const dup = [...rows, { ...newRow(), name: "URL" }];
    expect(draftProblems("local", dup)).toEqual(["`URL` is listed twice."]);
    expect(draftProblems("local", [newRow(), { ...newRow(), name: "a-b" }])).toEqual([
      "Every variable needs a name.",
      "`a-b`: letters, digits and _ only.",
    ]);
  });
});
