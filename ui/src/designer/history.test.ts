import { describe, expect, it } from "vitest";
import { shop } from "./testFixtures";
import { addType, renameType } from "./ops";
import { canRedo, canUndo, createHistory, push, redo, undo, HISTORY_LIMIT } from "./history";

describe("history", () => {
  it("undoes and redoes designer edits over documents", () => {
    const d0 = shop();
    const d1 = addType(d0, "Review").doc;
    const d2 = renameType(d1, "Review", "Rating").doc;
    let h = push(push(createHistory(d0), d1), d2);
    expect(canUndo(h)).toBe(true);
    expect(canRedo(h)).toBe(false);
    h = undo(h);
    expect(h.present).toBe(d1);
    h = undo(h);
    expect(h.present).toBe(d0);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(d1);
    h = redo(h);
    expect(h.present).toBe(d2);
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
  });

  it("clears redo on a new push and ignores no-op pushes", () => {
    let h = push(push(createHistory("a"), "b"), "c");
    h = undo(h);
    expect(canRedo(h)).toBe(true);
    h = push(h, "x");
    expect(canRedo(h)).toBe(false);
    expect(h.past).toEqual(["a", "b"]);
    expect(push(h, h.present)).toBe(h);
  });

  it("keeps at most 200 past states, dropping the oldest", () => {
    let h = createHistory(0);
    for (let i = 1; i <= 250; i += 1) h = push(h, i);
    expect(HISTORY_LIMIT).toBe(200);
    expect(h.past.length).toBe(200);
    expect(h.past[0]).toBe(50);
    let steps = 0;
    while (canUndo(h)) {
      h = undo(h);
      steps += 1;
    }
    expect(steps).toBe(200);
    expect(h.present).toBe(50);
  });

  it("coalesces pushes with the same key inside the window", () => {
    let h = createHistory("");
    h = push(h, "R", { coalesce: "rename:Order", now: 0 });
    h = push(h, "Re", { coalesce: "rename:Order", now: 300 });
    h = push(h, "Rev", { coalesce: "rename:Order", now: 600 });
    expect(h.past).toEqual([""]);
    expect(h.present).toBe("Rev");
    h = push(h, "Revi", { coalesce: "rename:Order", now: 5000 }); // too late: a new step
    h = push(h, "x", { coalesce: "other", now: 5100 }); // another key: a new step
    expect(h.past).toEqual(["", "Rev", "Revi"]);
    h = undo(h);
    // After an undo, a push with the old key starts a new step.
    h = push(h, "Revie", { coalesce: "rename:Order", now: 5200 });
    expect(h.past).toEqual(["", "Rev", "Revi"]);
    expect(h.present).toBe("Revie");
  });
});
