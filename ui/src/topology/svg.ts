// The exported picture, built as an SVG string from the same layout the screen shows (not
// a screenshot of the DOM): it is deterministic, testable without a browser, and the PNG is
// this SVG drawn on a canvas. Filters and overlay badges apply as on screen; the selection
// highlight does not (an export is of the graph, not of a moment of browsing).
import type { SourceOverlay, TopologyEdgeView } from "../bindings";
import { edgeCurve, type TopoLayout } from "./layout";
import { edgeOverlay, formatOverlay, protocolFill } from "./overlay";

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const DASH: Record<string, string> = { holds: ' stroke-dasharray="5,4"', reaches: ' stroke-dasharray="2,3"', feeds: "" };

export function topologySvg(
  layout: TopoLayout,
  edges: readonly TopologyEdgeView[],
  overlays: Map<string, SourceOverlay> | null,
): string {
  const o = layout.options;
  const { width, height } = layout;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  for (const e of edges) {
    const a = layout.nodes.get(e.from);
    const b = layout.nodes.get(e.to);
    if (!a || !b) continue;
    const { d, mid } = edgeCurve(a, b, o);
    out.push(
      `<path d="${d}" fill="none" stroke="#555"${DASH[e.kind] ?? ""} marker-end="url(#arrow)"><title>${escapeXml(e.label)}</title></path>`,
    );
    const stat = overlays ? edgeOverlay(e, overlays) : undefined;
    if (stat) {
      out.push(`<text x="${mid.x}" y="${mid.y - 4}" text-anchor="middle" font-size="10" fill="#333">${escapeXml(formatOverlay(stat))}</text>`);
    }
  }
  for (const p of layout.nodes.values()) {
    const n = p.node;
    const fill = n.kind === "source" ? protocolFill(n.detail) : n.kind === "operation" ? "#fff3b0" : "#ffffff";
    const rx = n.kind === "type" ? 4 : 14;
    out.push(`<g><rect x="${p.x}" y="${p.y}" width="${o.nodeWidth}" height="${o.nodeHeight}" rx="${rx}" fill="${fill}" stroke="#333"/>`);
    out.push(`<text x="${p.x + 10}" y="${p.y + 18}" font-weight="bold">${escapeXml(n.label)}</text>`);
    if (n.detail) out.push(`<text x="${p.x + 10}" y="${p.y + 33}" fill="#555">${escapeXml(n.detail)}</text>`);
    const stat = overlays?.get(n.id);
    if (stat) out.push(`<text x="${p.x + 10}" y="${p.y + 48}" font-size="10" fill="#333">${escapeXml(formatOverlay(stat))}</text>`);
    out.push("</g>");
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
