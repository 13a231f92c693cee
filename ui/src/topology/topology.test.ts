// The topology screen's pure logic: layout, reachability, filters, overlay text, SVG export.
import { describe, expect, it } from "vitest";
import type { TopologyEdgeView, TopologyNodeView, TopologyView } from "../bindings";
import { layoutTopology, TOPO_LAYOUT } from "./layout";
import { edgeKey, highlight } from "./reach";
import { applyFilter, NO_FILTER, protocolsOf, sourcesOf, toggled } from "./filter";
import { edgeOverlay, formatMs, formatOverlay, formatRate, health, overlayBySource } from "./overlay";
import { escapeXml, topologySvg } from "./svg";

const n = (id: string, detail = ""): TopologyNodeView => {
  const [kind, label] = id.split(":") as [TopologyNodeView["kind"], string];
  return { id, kind, label, detail };
};
const e = (from: string, to: string, kind: TopologyEdgeView["kind"], label = ""): TopologyEdgeView => ({ from, to, kind, label });

const shop: TopologyView = {
  nodes: [
    n("source:users", "rest"),
    n("source:orders", "rest"),
    n("source:products", "grpc"),
    n("type:Query"),
    n("type:Order"),
    n("type:User"),
    n("type:Product"),
    n("operation:OrderDetails", "GET /composite-order-details/{id}"),
  ],
  edges: [
    e("source:orders", "type:Order", "feeds", "getOrder (Query.getOrderDetails)"),
    e("source:users", "type:User", "feeds"),
    e("source:products", "type:Product", "feeds"),
    e("type:Query", "type:Order", "holds", "getOrderDetails"),
    e("type:Order", "type:User", "holds", "user"),
    e("type:Order", "type:Product", "holds", "products"),
    e("operation:OrderDetails", "source:orders", "reaches"),
    e("operation:OrderDetails", "source:users", "reaches"),
    e("operation:OrderDetails", "source:products", "reaches"),
  ],
  overlays: [
    { source: "orders", calls: 12, errorRate: 0.0833, medianMs: 14.2 },
    { source: "users", calls: 1, errorRate: 0, medianMs: 3.25 },
  ],
  runs: 12,
};

describe("layoutTopology", () => {
  const l = layoutTopology(shop.nodes, shop.edges);
  it("puts operations, sources and types in three columns", () => {
    const x = (id: string) => l.nodes.get(id)!.x;
    expect(x("operation:OrderDetails")).toBeLessThan(x("source:orders"));
    expect(x("source:orders")).toBeLessThan(x("type:Order"));
    expect(x("source:users")).toBe(x("source:products"));
  });
  it("never overlaps two nodes and fits every node in the picture", () => {
    const all = [...l.nodes.values()];
    for (const a of all) {
      expect(a.x + TOPO_LAYOUT.nodeWidth).toBeLessThanOrEqual(l.width);
      expect(a.y + TOPO_LAYOUT.nodeHeight).toBeLessThanOrEqual(l.height);
      for (const b of all) {
        if (a === b) continue;
        const apart = Math.abs(a.x - b.x) >= TOPO_LAYOUT.nodeWidth || Math.abs(a.y - b.y) >= TOPO_LAYOUT.nodeHeight;
        expect(apart).toBe(true);
      }
    }
  });
  it("orders a column by its left neighbours (barycentre), keeping the rest in order", () => {
    const row = (id: string) => l.nodes.get(id)!.row;
    // Types fed by sources follow the sources' rows; Query has no left neighbour: last.
    expect(row("type:User")).toBeLessThan(row("type:Order"));
    expect(row("type:Query")).toBe(3);
  });
});

describe("highlight", () => {
  it("lights what a node reaches and what reaches it, and nothing sideways", () => {
    const h = highlight("source:users", shop.edges)!;
    expect([...h.nodes].sort()).toEqual(["operation:OrderDetails", "source:users", "type:User"]);
    expect(h.edges.has(edgeKey(shop.edges[1]!))).toBe(true);
    expect(h.edges.has(edgeKey(shop.edges[0]!))).toBe(false);
  });
  it("follows chains transitively", () => {
    const h = highlight("type:Query", shop.edges)!;
    expect(h.nodes.has("type:User")).toBe(true);
    expect(h.nodes.has("type:Product")).toBe(true);
    expect(h.nodes.has("source:orders")).toBe(false);
    const up = highlight("type:Product", shop.edges)!;
    expect(up.nodes.has("operation:OrderDetails")).toBe(true);
    expect(up.nodes.has("type:Query")).toBe(true);
  });
  it("is null without a selection", () => expect(highlight(null, shop.edges)).toBeNull());
});

describe("filters", () => {
  it("lists sources and protocols", () => {
    expect(sourcesOf(shop).map((s) => s.label)).toEqual(["users", "orders", "products"]);
    expect(protocolsOf(shop)).toEqual(["grpc", "rest"]);
  });
  it("hides sources by protocol and by name, with their edges", () => {
    const noGrpc = applyFilter(shop, { ...NO_FILTER, hiddenProtocols: new Set(["grpc"]) });
    expect(noGrpc.nodes.some((x) => x.id === "source:products")).toBe(false);
    expect(noGrpc.edges.some((x) => x.from === "source:products" || x.to === "source:products")).toBe(false);
    expect(noGrpc.nodes.some((x) => x.id === "type:Product")).toBe(true);
    const noUsers = applyFilter(shop, { ...NO_FILTER, hiddenSources: new Set(["users"]) });
    expect(noUsers.nodes).toHaveLength(shop.nodes.length - 1);
    expect(applyFilter(shop, NO_FILTER)).toBe(shop);
  });
  it("toggles set members", () => {
    expect([...toggled(new Set(["a"]), "b")]).toEqual(["a", "b"]);
    expect([...toggled(new Set(["a"]), "a")]).toEqual([]);
  });
});

describe("overlay", () => {
  const by = overlayBySource(shop.overlays);
  it("formats calls, error rate and median", () => {
    expect(formatOverlay(by.get("source:orders")!)).toBe("12 calls · 8% err · 14 ms");
    expect(formatOverlay(by.get("source:users")!)).toBe("1 call · 0% err · 3.3 ms");
    expect(formatRate(0.004)).toBe("0.4%");
    expect(formatMs(1500)).toBe("1.5 s");
  });
  it("puts a source's statistics on its feeds edges only", () => {
    expect(edgeOverlay(shop.edges[0]!, by)?.calls).toBe(12);
    expect(edgeOverlay(shop.edges[6]!, by)).toBeUndefined();
  });
  it("grades health by error rate", () => {
    expect(health(by.get("source:orders")!)).toBe("warn");
    expect(health({ source: "x", calls: 10, errorRate: 0.5, medianMs: 1 })).toBe("bad");
  });
});

describe("topologySvg", () => {
  const l = layoutTopology(shop.nodes, shop.edges);
  it("draws every node and edge, escaped, with badges when asked", () => {
    const svg = topologySvg(l, shop.edges, overlayBySource(shop.overlays));
    expect(svg.startsWith("<svg")).toBe(true);
    expect((svg.match(/<rect x=/g) ?? []).length).toBe(shop.nodes.length);
    expect((svg.match(/marker-end=/g) ?? []).length).toBe(shop.edges.length);
    expect(svg).toContain("12 calls · 8% err · 14 ms");
    expect(svg).toContain('fill="#d7f5d0"'); // gRPC colour
    const plain = topologySvg(l, shop.edges, null);
    expect(plain).not.toContain("calls");
  });
  it("escapes text", () => expect(escapeXml(`<a & "b">`)).toBe("&lt;a &amp; &quot;b&quot;&gt;"));
});
