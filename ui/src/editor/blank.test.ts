import { describe, expect, it } from "vitest";
import { isBlankDocument } from "./blank";

describe("isBlankDocument", () => {
  it("is true for nothing, whitespace and comments only", () => {
    expect(isBlankDocument("")).toBe(true);
    expect(isBlankDocument("  \n\t")).toBe(true);
    expect(isBlankDocument("# Tick fields in the explorer\n  # or type a query")).toBe(true);
  });
  it("is false once there is any GraphQL, even broken", () => {
    expect(isBlankDocument("{")).toBe(false);
    expect(isBlankDocument("# note\nquery { a }")).toBe(false);
  });
});
