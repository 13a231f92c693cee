// The fan-out graph drawn with React Flow over our own layered layout (./layout.ts).
// Loaded lazily: React Flow is only needed once the Query screen shows a plan.
import { memo, useMemo } from "react";
import { Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { PlanNodeView, PlanView } from "../bindings";
import { layoutPlan } from "./layout";
import { sourceColor } from "./colors";
import type { NodeStat, NodeState } from "./stats";
import { formatMs } from "../result/waterfall";

interface FetchData extends Record<string, unknown> {
  node: PlanNodeView;
  stat: NodeStat | undefined;
  state: NodeState | undefined;
  selected: boolean;
}

type FetchNode = Node<FetchData, "fetch">;

const FetchNodeBox = memo(function FetchNodeBox({ data }: NodeProps<FetchNode>) {
  const { node, stat, state, selected } = data;
  const cls = [
    "plan-node",
    node.hidden ? "hidden-node" : "",
    state === "started" ? "running" : state === "failed" || stat?.status === "failed" ? "failed" : state === "done" || stat ? "done" : "",
    selected ? "selected" : "",
  ].join(" ");
  return (
    <div className={cls} data-testid="plan-node" style={{ ["--src" as string]: sourceColor(node.source) }}>
      <Handle type="target" position={Position.Top} style={{ opacity: 0 }} isConnectable={false} />
      <div className="label" title={node.path.join(".")}>{node.label}</div>
      <div className="meta mono" title={`${node.source} · ${node.operation}`}>
        {node.source} · {node.operation}
      </div>
      <div className="meta">
        <span className="chip" title={node.kind === "bound" ? "a bound operation" : node.kind === "entity" ? "a Federation _entities fetch" : "a Federation subgraph root fetch"}>
          {node.kind === "bound" ? node.sourceKind : node.kind === "entity" ? "entities" : "subgraph"}
        </span>
        <span className={`chip ${node.mode === "batch" ? "batch" : ""}`}>{node.mode}</span>
        {node.hidden && <span className="chip">key</span>}
        {stat && (
          <>
            {node.mode === "batch" && <span className="chip batch">×{stat.batchSize}</span>}
            <span className={`chip ${stat.status === "failed" ? "err" : ""}`}>
              {stat.status === "failed" ? `${stat.failedCalls}/${stat.calls} failed` : `${stat.calls} call${stat.calls === 1 ? "" : "s"}`}
            </span>
            <span className="chip">{formatMs(stat.durationMs)}</span>
          </>
        )}
      </div>
      <Handle type="source" position={Position.Bottom} style={{ opacity: 0 }} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { fetch: FetchNodeBox };

export interface PlanGraphProps {
  plan: PlanView;
  stats: Map<number, NodeStat>;
  progress: Map<number, NodeState>;
  selected: number | null;
  onSelect: (id: number | null) => void;
}

export default function PlanGraph({ plan, stats, progress, selected, onSelect }: PlanGraphProps) {
  const layout = useMemo(() => layoutPlan(plan), [plan]);
  const nodes: FetchNode[] = useMemo(
    () =>
      plan.nodes
        .filter((n) => layout.nodes.has(n.id))
        .map((n) => {
          const p = layout.nodes.get(n.id)!;
          return {
            id: String(n.id),
            type: "fetch" as const,
            position: { x: p.x, y: p.y },
            data: { node: n, stat: stats.get(n.id), state: progress.get(n.id), selected: selected === n.id },
            draggable: false,
            connectable: false,
          };
        }),
    [plan, layout, stats, progress, selected],
  );
  const edges: Edge[] = useMemo(
    () =>
      plan.edges.map((e) => ({
        id: `${e.from}-${e.to}-${e.kind}`,
        source: String(e.from),
        target: String(e.to),
        animated: progress.get(e.to) === "started",
        style: e.kind === "requires" ? { strokeDasharray: "6 4" } : undefined,
        label: e.kind === "requires" ? "requires" : undefined,
      })),
    [plan, progress],
  );
  // A new shape remounts the view so it fits the new graph.
  const shapeKey = plan.nodes.map((n) => `${n.id}:${n.label}`).join("|") + `/${plan.edges.length}`;
  return (
    <ReactFlow
      key={shapeKey}
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      fitView
      fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
      minZoom={0.2}
      nodesConnectable={false}
      nodesDraggable={false}
      elementsSelectable={false}
      onNodeClick={(_, n) => onSelect(Number(n.id) === selected ? null : Number(n.id))}
      onPaneClick={() => onSelect(null)}
      proOptions={{ hideAttribution: true }}
    />
  );
}
