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
