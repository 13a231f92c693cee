// How long the views that can be slow take to appear, as User Timing measures
// (`performance.getEntriesByName("knot:plan-drawn")`) that `make bench-app` reads through
// WebDriver: from `start` to the second animation frame after the view is drawn, so the
// frame that shows it has been painted. Nothing is sent anywhere.

/** Records `knot:<name>` from `start` (a `performance.now()` time) to the frame after next. */
export function measureDrawn(name: string, start: number, detail: Record<string, unknown> = {}): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      try {
        performance.measure(`knot:${name}`, { start, end: performance.now(), detail });
      } catch {
        // A browser without measure options: no figure, nothing else changes.
      }
    }),
  );
}
