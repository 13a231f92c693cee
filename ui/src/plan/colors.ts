// A stable colour per source name, so a source looks the same in the graph and the waterfall.
export function sourceHue(source: string): number {
  let h = 2166136261;
  for (let i = 0; i < source.length; i++) {
    h ^= source.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  // 12 well-separated hues, skipping the red reserved for failures.
  const slots = 12;
  const slot = (h >>> 0) % slots;
  return 20 + slot * (320 / slots);
}

export function sourceColor(source: string): string {
  return `hsl(${sourceHue(source).toFixed(0)} 62% 52%)`;
}
