// The topology drawn with React Flow over our own three-column layout (./layout.ts): one
// custom node per source/type/operation, edges styled by kind, overlay badges on source
// nodes and feeds edges. Selection state lives in the screen; here it only dims and lights.
import { memo, useMemo } from "react";
import { Handle, Position, ReactFlow, MarkerType, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { SourceOverlay, TopologyEdgeView, TopologyNodeView } from "../bindings";
import type { TopoLayout } from "./layout";
import { edgeKey, type Highlight } from "./reach";
import { edgeOverlay, formatOverlay, health, protocolAccent, protocolFill } from "./overlay";

interface TopoData extends Record<string, unknown> {
  node: TopologyNodeView;
  stat: SourceOverlay | undefined;
  state: "lit" | "dim" | "selected" | "";
  width: number;
  height: number;
}

type TopoNode = Node<TopoData, "topo">;

const TopoNodeBox = memo(function TopoNodeBox({ data }: NodeProps<TopoNode>) {
  const { node, stat, state, width, height } = data;
  const style: Record<string, string | number> = { width, height };
  if (node.kind === "source") {
    style["--proto-fill"] = protocolFill(node.detail);
    style["--proto"] = protocolAccent(node.detail);
  }
  return (
    <div className={`topo-node ${node.kind} ${state}`} style={style} data-testid="topo-node" data-id={node.id}>
      <Handle type="target" position={Position.Left} style={{ opacity: 0 }} isConnectable={false} />
      <div className="label" title={node.label}>{node.label}</div>
      {node.detail && <div className="detail mono" title={node.detail}>{node.detail}</div>}
      {stat && (
        <div className={`badge ${health(stat)}`} data-testid="topo-badge">{formatOverlay(stat)}</div>
      )}
      <Handle type="source" position={Position.Right} style={{ opacity: 0 }} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { topo: TopoNodeBox };

export interface TopologyGraphProps {
  layout: TopoLayout;
  edges: readonly TopologyEdgeView[];
  overlays: Map<string, SourceOverlay> | null;
  lit: Highlight | null;
  selected: string | null;
  onSelect: (id: string | null) => void;
}

export default function TopologyGraph({ layout, edges, overlays, lit, selected, onSelect }: TopologyGraphProps) {
  const { nodeWidth, nodeHeight } = layout.options;
  const nodes: TopoNode[] = useMemo(
    () =>
      [...layout.nodes.values()].map((p) => ({
        id: p.node.id,
        type: "topo" as const,
        position: { x: p.x, y: p.y },
        data: {
          node: p.node,
          stat: overlays?.get(p.node.id),
          state: p.node.id === selected ? "selected" : lit ? (lit.nodes.has(p.node.id) ? "lit" : "dim") : "",
          width: nodeWidth,
          height: nodeHeight,
        },
        draggable: false,
        connectable: false,
      })),
    [layout, overlays, lit, selected, nodeWidth, nodeHeight],
  );
  const flowEdges: Edge[] = useMemo(
    () =>
      edges
        .filter((e) => layout.nodes.has(e.from) && layout.nodes.has(e.to))
        .map((e) => {
          const key = edgeKey(e);
          const stat = overlays ? edgeOverlay(e, overlays) : undefined;
          const dim = lit !== null && !lit.edges.has(key);
          return {
            id: key,
            source: e.from,
            target: e.to,
            type: "default",
            markerEnd: { type: MarkerType.ArrowClosed },
            className: `topo-edge ${e.kind} ${dim ? "dim" : lit ? "lit" : ""}`,
            style: e.kind === "holds" ? { strokeDasharray: "5 4" } : e.kind === "reaches" ? { strokeDasharray: "2 3" } : undefined,
            label: stat ? formatOverlay(stat) : undefined,
            ariaLabel: `${e.kind}: ${e.label}`,
          };
        }),
    [edges, layout, overlays, lit],
  );
  const shapeKey = [...layout.nodes.keys()].join("|");
  return (
    <ReactFlow
      key={shapeKey}
      nodes={nodes}
      edges={flowEdges}
      nodeTypes={nodeTypes}
      fitView
      fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
      minZoom={0.1}
      nodesConnectable={false}
      nodesDraggable={false}
      elementsSelectable={false}
      onNodeClick={(_, n) => onSelect(n.id === selected ? null : n.id)}
      onPaneClick={() => onSelect(null)}
      proOptions={{ hideAttribution: true }}
    />
  );
}
