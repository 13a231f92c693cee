// Filters of the topology screen: hide sources by name and by protocol. Hiding a source
// removes it and its edges; types and saved operations always stay, so the shape of the
// schema remains readable while a protocol or a service is looked at (or left out).
import type { TopologyView } from "../bindings";

export interface TopoFilter {
  hiddenSources: ReadonlySet<string>;
  hiddenProtocols: ReadonlySet<string>;
}

export const NO_FILTER: TopoFilter = { hiddenSources: new Set(), hiddenProtocols: new Set() };

/** Every source's name and protocol, in the view's order. */
export function sourcesOf(view: TopologyView): { id: string; label: string; protocol: string }[] {
  return view.nodes.filter((n) => n.kind === "source").map((n) => ({ id: n.id, label: n.label, protocol: n.detail }));
}

/** The protocols present, sorted. */
export function protocolsOf(view: TopologyView): string[] {
  return [...new Set(sourcesOf(view).map((s) => s.protocol))].sort();
}

export function applyFilter(view: TopologyView, f: TopoFilter): TopologyView {
  const hidden = new Set(
    view.nodes
      .filter((n) => n.kind === "source" && (f.hiddenSources.has(n.label) || f.hiddenProtocols.has(n.detail)))
      .map((n) => n.id),
  );
  if (hidden.size === 0) return view;
  return {
    ...view,
    nodes: view.nodes.filter((n) => !hidden.has(n.id)),
    edges: view.edges.filter((e) => !hidden.has(e.from) && !hidden.has(e.to)),
  };
}

/** A set with `item` added or removed. */
export function toggled(set: ReadonlySet<string>, item: string): Set<string> {
  const next = new Set(set);
  if (next.has(item)) next.delete(item);
  else next.add(item);
  return next;
}
