// Sizes of the Query screen's resizable panes, kept per user (localStorage) and fitted to the
// window: the explorer's and the right column's widths in pixels (the editor column takes the
// rest) and the fan-out graph's share of the right column's height. Every size is clamped so
// that each pane keeps its minimum at the current window size; a size saved in a wide window
// shrinks to fit a narrow one without being overwritten.

export interface PaneSizes {
  /** Explorer column width, px. */
  explorer: number;
  /** Right column (graph, result, calls) width, px. */
  right: number;
  /** The graph's share of the right column's height (0..1), or null: sized to the graph. */
  graph: number | null;
}

export const MIN = { explorer: 190, editor: 260, right: 320 };
/** Width of a splitter (the grid track between two panes). */
export const SPLITTER = 6;

/** What a first start uses: close to the fixed layout before panes could be resized. */
export function defaultSizes(total: number): PaneSizes {
  const explorer = Math.max(MIN.explorer, Math.round(total * 0.2));
  const right = Math.max(MIN.right, Math.round((total - explorer) * 0.55));
  return fitColumns(total, { explorer, right, graph: null });
}

/**
 * The sizes fitted into `total` px (the screen's inner width): the explorer at least its
 * minimum and at most 45%, the right column at least its minimum, and the editor column left
 * with at least its own; where the window is too narrow for all minimums, the right column
 * gives way first, then the explorer.
 */
export function fitColumns(total: number, s: PaneSizes): PaneSizes {
  const room = total - 2 * SPLITTER;
  let explorer = clamp(s.explorer, MIN.explorer, Math.max(MIN.explorer, room * 0.45));
  let right = Math.max(MIN.right, s.right);
  const over = explorer + right + MIN.editor - room;
  if (over > 0) {
    const fromRight = Math.min(over, right - MIN.right);
    right -= fromRight;
    const rest = over - fromRight;
    if (rest > 0) explorer = Math.max(MIN.explorer, explorer - rest);
  }
  const graph = s.graph === null ? null : clamp(s.graph, 0.15, 0.85);
  return { explorer: Math.round(explorer), right: Math.round(right), graph };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

const KEY = "knot.panes.query";

/** The saved sizes, or null when none (or unreadable ones) are saved. */
export function parseSaved(text: string | null): PaneSizes | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<PaneSizes>;
    if (typeof v.explorer !== "number" || typeof v.right !== "number" || !Number.isFinite(v.explorer) || !Number.isFinite(v.right)) return null;
    const graph = typeof v.graph === "number" && Number.isFinite(v.graph) ? v.graph : null;
    return { explorer: v.explorer, right: v.right, graph };
  } catch {
    return null;
  }
}

export function loadSizes(): PaneSizes | null {
  try {
    return parseSaved(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function saveSizes(s: PaneSizes): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // A store that refuses (private mode, full): sizes then last for this session only.
  }
}
