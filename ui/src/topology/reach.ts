// Reachability for the selection highlight: from a node, everything it reaches (following
// edges forward) and everything that reaches it (backward), transitively. Forward and
// backward are separate closures, so selecting a source lights its operations upstream and
// its types downstream without leaking sideways into unrelated branches.
import type { TopologyEdgeView } from "../bindings";

export interface Highlight {
  nodes: Set<string>;
  edges: Set<string>;
}

export function edgeKey(e: TopologyEdgeView): string {
  return `${e.from}->${e.to}:${e.kind}`;
}

function closure(start: string, edges: readonly TopologyEdgeView[], forward: boolean): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = forward ? [e.from, e.to] : [e.to, e.from];
    const list = next.get(a);
    if (list) list.push(b);
    else next.set(a, [b]);
  }
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

/** The nodes and edges related to `selected`; null when nothing is selected. */
export function highlight(selected: string | null, edges: readonly TopologyEdgeView[]): Highlight | null {
  if (selected === null) return null;
  const down = closure(selected, edges, true);
  const up = closure(selected, edges, false);
  const nodes = new Set<string>([...down, ...up]);
  const lit = new Set<string>();
  for (const e of edges) {
    if ((down.has(e.from) && down.has(e.to)) || (up.has(e.from) && up.has(e.to))) lit.add(edgeKey(e));
  }
  return { nodes, edges: lit };
}
