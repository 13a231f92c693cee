import { describe, expect, it } from "vitest";
import { barFor, formatMs, makeScale, niceStep, orderCalls, ticksFor } from "./waterfall";

describe("waterfall scale", () => {
  it("rounds the track up to a nice tick", () => {
    const s = makeScale([{ id: 1, startMs: 0, endMs: 43 }]);
    expect(s.maxMs).toBe(50);
    expect(s.ticks).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it("uses the run's total when it is longer than every call", () => {
    expect(makeScale([{ id: 1, startMs: 0, endMs: 3 }], 180).maxMs).toBe(200);
  });

  it("maps times to percent and clamps", () => {
    const s = makeScale([{ id: 1, startMs: 0, endMs: 100 }]);
    expect(s.pct(25)).toBe(25);
    expect(s.pct(-5)).toBe(0);
    expect(s.pct(500)).toBe(100);
  });

  it("gives a zero-length call a visible bar that stays on the track", () => {
    const s = makeScale([{ id: 1, startMs: 0, endMs: 100 }]);
    expect(barFor({ id: 2, startMs: 40, endMs: 40 }, s).width).toBeGreaterThan(0);
    const end = barFor({ id: 3, startMs: 100, endMs: 100 }, s);
    expect(end.left + end.width).toBeLessThanOrEqual(100);
  });

  it("places parallel calls at the same offset", () => {
    const s = makeScale([
      { id: 1, startMs: 0, endMs: 10 },
      { id: 2, startMs: 10, endMs: 30 },
      { id: 3, startMs: 10, endMs: 25 },
    ]);
    expect(barFor({ id: 2, startMs: 10, endMs: 30 }, s).left).toBe(barFor({ id: 3, startMs: 10, endMs: 25 }, s).left);
  });

  it("picks 1-2-2.5-5 steps and survives an empty run", () => {
    expect(niceStep(7)).toBe(2);
    expect(niceStep(12)).toBe(2.5);
    expect(niceStep(0)).toBe(1);
    expect(makeScale([]).maxMs).toBeGreaterThan(0);
  });

  it("orders rows by start, then end, then id", () => {
    const rows = orderCalls([
      { id: 3, startMs: 5, endMs: 9 },
      { id: 1, startMs: 0, endMs: 4 },
      { id: 2, startMs: 5, endMs: 7 },
    ]);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("formats durations for labels", () => {
    expect(formatMs(3.14159)).toBe("3.1 ms");
    expect(formatMs(42.4)).toBe("42 ms");
    expect(formatMs(1534)).toBe("1.53 s");
  });
});

describe("tick labels for the track's width", () => {
  it("never puts two labels closer than about a label's width", () => {
    for (const width of [60, 90, 150, 240, 400, 800]) {
      for (const end of [0.4, 6.1, 21, 950, 12345]) {
        const scale = makeScale([{ id: 1, startMs: 0, endMs: end }], end, ticksFor(width));
        const intervals = scale.ticks.length - 1;
        expect(intervals).toBeGreaterThanOrEqual(1);
        // Labels sit at the ends and between; each gap holds one label of about 45 px.
        if (intervals > 1) expect(width / intervals).toBeGreaterThanOrEqual(45);
      }
    }
  });
});

it("spans a narrow track from 0 to the run's end", () => {
  const scale = makeScale([{ id: 1, startMs: 2, endMs: 25.3 }], 25.3, ticksFor(90));
  expect(scale.ticks).toEqual([0, 25.3]);
  expect(scale.pct(25.3)).toBe(100);
});
