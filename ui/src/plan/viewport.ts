// Where the fan-out graph's view sits: fit the whole graph when it fits at a readable zoom,
// otherwise stay at the readable zoom and show the graph's start (the first stage, the
// leftmost node), so text is never drawn smaller than a person can read. Pan and zoom
// controls reach the rest.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Padding {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface FitOptions {
  /** Free space around the graph, in screen pixels (a number for all four sides). */
  padding: number | Padding;
  /** Smallest zoom at which the graph's smallest text is still readable. */
  minZoom: number;
  maxZoom: number;
}

/** The zoom at which text of `smallestPx` CSS pixels is drawn `readablePx` high. */
export function readableZoom(smallestPx: number, readablePx = 11): number {
  return smallestPx > 0 ? readablePx / smallestPx : 1;
}

export function fitReadable(bounds: Box, view: { width: number; height: number }, o: FitOptions): Viewport {
  const p = typeof o.padding === "number" ? { top: o.padding, right: o.padding, bottom: o.padding, left: o.padding } : o.padding;
  const roomW = Math.max(1, view.width - p.left - p.right);
  const roomH = Math.max(1, view.height - p.top - p.bottom);
  const fit = Math.min(roomW / Math.max(1, bounds.width), roomH / Math.max(1, bounds.height));
  const zoom = Math.min(o.maxZoom, Math.max(o.minZoom, fit));
  const w = bounds.width * zoom;
  const h = bounds.height * zoom;
  // Centred along an axis where it fits, from its start where it does not.
  const x = (w <= roomW ? p.left + (roomW - w) / 2 : p.left) - bounds.x * zoom;
  const y = (h <= roomH ? p.top + (roomH - h) / 2 : p.top) - bounds.y * zoom;
  return { x, y, zoom };
}

/** The part of the graph the view shows, in the graph's coordinates: React Flow's transform
 * (`[x, y, zoom]`) over a view of `width` x `height` screen pixels. Before the view has a size,
 * the graph's first 2000 x 1500. */
export function shownArea(transform: readonly [number, number, number], width: number, height: number): Box {
  const [tx, ty, zoom] = transform;
  if (width <= 0 || height <= 0 || zoom <= 0) return { x: 0, y: 0, width: 2000, height: 1500 };
  // (`+ 0` turns -0 into 0.)
  return { x: -tx / zoom + 0, y: -ty / zoom + 0, width: width / zoom, height: height / zoom };
}

/** Which nodes a large graph draws: those within `area` grown by half its size on every side
 * (so a short pan finds them drawn), and every node joined by an edge to one of them (so its
 * edges have both ends). `size` gives a node's width and height. */
export function nodesNear(
  positions: ReadonlyMap<number, { x: number; y: number }>,
  size: (id: number) => { width: number; height: number },
  edges: readonly { from: number; to: number }[],
  area: Box,
): Set<number> {
  const mx = area.width / 2;
  const my = area.height / 2;
  const [x0, y0, x1, y1] = [area.x - mx, area.y - my, area.x + area.width + mx, area.y + area.height + my];
  const near = new Set<number>();
  for (const [id, p] of positions) {
    const s = size(id);
    if (p.x < x1 && p.x + s.width > x0 && p.y < y1 && p.y + s.height > y0) near.add(id);
  }
  const joined = new Set(near);
  for (const e of edges) {
    if (near.has(e.from)) joined.add(e.to);
    if (near.has(e.to)) joined.add(e.from);
  }
  return joined;
}
