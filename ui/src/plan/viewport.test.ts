import { describe, expect, it } from "vitest";
import { fitReadable, nodesNear, readableZoom, shownArea } from "./viewport";

const o = { padding: 10, minZoom: 0.9, maxZoom: 1 };

describe("fitReadable", () => {
  it("centres a small graph at full size", () => {
    const v = fitReadable({ x: 0, y: 0, width: 200, height: 100 }, { width: 420, height: 300 }, o);
    expect(v).toEqual({ x: 110, y: 100, zoom: 1 });
  });

  it("shrinks a graph that fits at a readable zoom", () => {
    const v = fitReadable({ x: 0, y: 0, width: 400, height: 100 }, { width: 380, height: 300 }, o);
    expect(v.zoom).toBeCloseTo(0.9);
    expect(v.x).toBeCloseTo(10);
  });

  it("never shrinks below the readable zoom: shows the start of a large graph instead", () => {
    const v = fitReadable({ x: -50, y: -20, width: 2000, height: 1000 }, { width: 500, height: 270 }, o);
    expect(v.zoom).toBe(0.9);
    // The graph's top-left corner sits at the padding.
    expect(v.x + -50 * v.zoom).toBeCloseTo(10);
    expect(v.y + -20 * v.zoom).toBeCloseTo(10);
  });

  it("centres along the axis that fits", () => {
    const v = fitReadable({ x: 0, y: 0, width: 100, height: 1000 }, { width: 500, height: 270 }, o);
    expect(v.zoom).toBe(0.9);
    expect(v.x).toBeCloseTo((500 - 90) / 2);
    expect(v.y).toBeCloseTo(10);
  });
});

it("keeps clear of what covers one side (the zoom controls)", () => {
  const v = fitReadable({ x: 0, y: 0, width: 200, height: 100 }, { width: 300, height: 120 }, { ...o, padding: { top: 10, right: 50, bottom: 10, left: 10 } });
  expect(v.zoom).toBe(1);
  expect(v.x).toBeCloseTo(10 + (240 - 200) / 2);
  expect(v.x + 200).toBeLessThanOrEqual(300 - 50);
});

describe("readableZoom", () => {
  it("is the zoom that draws the smallest text 11 px high", () => {
    expect(readableZoom(12)).toBeCloseTo(11 / 12);
    expect(readableZoom(11)).toBe(1);
  });
});

describe("what a large graph draws", () => {
  const positions = new Map([
    [1, { x: 0, y: 0 }],
    [2, { x: 300, y: 0 }],
    [3, { x: 5000, y: 0 }],
    [4, { x: 0, y: 4000 }],
    [5, { x: 9000, y: 9000 }],
  ]);
  const size = () => ({ width: 200, height: 60 });
  it("draws the nodes in view and half a view around it, and the other ends of their edges", () => {
    const area = shownArea([0, 0, 1], 1000, 800);
    expect(area).toEqual({ x: 0, y: 0, width: 1000, height: 800 });
    expect([...nodesNear(positions, size, [], area)].sort()).toEqual([1, 2]);
    expect([...nodesNear(positions, size, [{ from: 2, to: 5 }], area)].sort()).toEqual([1, 2, 5]);
  });
  it("follows the view when it moves and zooms", () => {
    // Moved right by 4800 graph px at zoom 0.5: the view shows x 4800..6800.
    const area = shownArea([-2400, 0, 0.5], 1000, 800);
    expect(area).toEqual({ x: 4800, y: 0, width: 2000, height: 1600 });
    expect([...nodesNear(positions, size, [], area)]).toEqual([3]);
  });
  it("takes the graph's start before the view has a size", () => {
    expect(shownArea([0, 0, 1], 0, 0)).toEqual({ x: 0, y: 0, width: 2000, height: 1500 });
  });
});
