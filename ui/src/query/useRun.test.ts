import { describe, expect, it } from "vitest";
import { ApiFailure } from "../api";
import { runFailure } from "./useRun";

describe("runFailure", () => {
  it("reads a cancelled run as cancelled, not as an error message", () => {
    const e = new ApiFailure("query_run", { code: "cancelled", message: "run `6f1c…` was cancelled" });
    expect(runFailure(e)).toEqual({ cancelled: true });
  });

  it("keeps other failures as their message", () => {
    const e = new ApiFailure("query_run", { code: "workspace", message: "no workspace is open" });
    expect(runFailure(e)).toEqual({ cancelled: false, error: "no workspace is open (workspace)" });
  });
});
