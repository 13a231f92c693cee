import { describe, expect, it } from "vitest";
import { MIN, SPLITTER, defaultSizes, fitColumns, parseSaved } from "./panes";

const editorWidth = (total: number, s: { explorer: number; right: number }) => total - 2 * SPLITTER - s.explorer - s.right;

describe("pane sizes", () => {
  it("starts close to the fixed layout and leaves the editor its room", () => {
    for (const total of [1440 - 64, 1024 - 64]) {
      const s = defaultSizes(total);
      expect(s.explorer).toBeGreaterThanOrEqual(MIN.explorer);
      expect(s.right).toBeGreaterThanOrEqual(MIN.right);
      expect(editorWidth(total, s)).toBeGreaterThanOrEqual(MIN.editor);
    }
  });

  it("keeps every pane at its minimum when dragged too far", () => {
    const total = 1200;
    const wideRight = fitColumns(total, { explorer: 200, right: 5000, graph: null });
    expect(editorWidth(total, wideRight)).toBe(MIN.editor);
    const tiny = fitColumns(total, { explorer: 10, right: 10, graph: 0.01 });
    expect(tiny).toEqual({ explorer: MIN.explorer, right: MIN.right, graph: 0.15 });
    // The explorer never takes more than 45%.
    expect(fitColumns(total, { explorer: 900, right: 320, graph: null }).explorer).toBeLessThanOrEqual(Math.round((total - 2 * SPLITTER) * 0.45));
  });

  it("shrinks sizes saved in a wide window into a narrow one, the right column first", () => {
    const saved = { explorer: 300, right: 800, graph: 0.5 };
    const narrow = fitColumns(960, saved);
    expect(narrow.explorer).toBe(300);
    expect(narrow.right).toBe(960 - 2 * SPLITTER - 300 - MIN.editor);
    expect(editorWidth(960, narrow)).toBe(MIN.editor);
    // The saved value itself is left alone (fitting returns a copy).
    expect(saved.right).toBe(800);
  });

  it("reads saved sizes back and ignores broken ones", () => {
    expect(parseSaved(JSON.stringify({ explorer: 250, right: 500, graph: 0.4 }))).toEqual({ explorer: 250, right: 500, graph: 0.4 });
    expect(parseSaved(JSON.stringify({ explorer: 250, right: 500 }))).toEqual({ explorer: 250, right: 500, graph: null });
    expect(parseSaved("{not json")).toBeNull();
    expect(parseSaved(JSON.stringify({ explorer: "wide" }))).toBeNull();
    expect(parseSaved(null)).toBeNull();
  });
});
