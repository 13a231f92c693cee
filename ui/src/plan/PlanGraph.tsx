// The fan-out graph drawn with React Flow over our own layered layout (./layout.ts): one lane
// per stage, labelled with what it waits for, arrows from a fetch to the fetches that wait
// for it. Loaded lazily: React Flow is only needed once the Query screen shows a plan.
//
// React Flow draws a node only once it has measured it (until then the node is
// `visibility: hidden`). It measures with a ResizeObserver, and forgets the measurement
// whenever it is handed a new node object that does not carry it. So:
// - what changes during a run (progress, figures, selection) reaches the nodes through a
//   context, never by rebuilding the node list: the list changes only with the plan's
//   layout;
// - the sizes React Flow reports (`onNodesChange`, `dimensions`) are kept and handed back on
//   every node (`measured`), and they size the layout's rows.
// Without both, a run replaced every node several times a second; when a replacement landed
// between a measurement and React's next commit the node stayed hidden for good (React
// Flow re-observes a node only when its "initialised" flag changes between commits), and
// the graph went blank after most runs.
import { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import {
  BaseEdge,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeChange,
  type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { PlanNodeView, PlanView } from "../bindings";
import { detourPath, layoutPlan, type Layout } from "./layout";
import { nodeCaption } from "./caption";
import { sourceColor } from "./colors";
import type { NodeStat, NodeState } from "./stats";
import { fitReadable, nodesNear, readableZoom, shownArea } from "./viewport";
import { formatMs } from "../result/waterfall";
import { measureDrawn } from "../timing";
import { ZoomBar } from "../components/ZoomBar";

const NODE_WIDTH = 200;
/** Estimated height until React Flow has measured a node. */
const NODE_HEIGHT = 58;
const GAP_X = 24;
const GAP_Y = 40;
/** A lane starts this far above its nodes: room for its caption. */
const CAPTION = 26;
/** A lane reaches this far left and right of its nodes. */
const LANE_SIDE = 8;
/** From this many fetches on, a plan is laid out once with estimated heights (see PlanFlow). */
const LARGE_PLAN = 150;
/** The smallest text in the graph (styles.css: `.plan-node`, `.stage-lane`), in CSS px. */
const SMALLEST_TEXT_PX = 12;
/** The fitted view never draws text smaller than 11 px; the controls may zoom further. */
export const READABLE_ZOOM = readableZoom(SMALLEST_TEXT_PX);
const FIT = { padding: { top: 6, right: 6, bottom: 6, left: 6 }, minZoom: READABLE_ZOOM, maxZoom: 1 };

interface RunView {
  stats: Map<number, NodeStat>;
  progress: Map<number, NodeState>;
  selected: number | null;
}

const RunContext = createContext<RunView>({ stats: new Map(), progress: new Map(), selected: null });

interface FetchData extends Record<string, unknown> {
  node: PlanNodeView;
}
type FetchNode = Node<FetchData, "fetch">;

interface LaneData extends Record<string, unknown> {
  index: number;
  count: number;
  width: number;
  height: number;
}
type LaneNode = Node<LaneData, "lane" | "caption">;

const FetchNodeBox = memo(function FetchNodeBox({ data }: NodeProps<FetchNode>) {
  const { node } = data;
  const { stats, progress, selected } = useContext(RunContext);
  const stat = stats.get(node.id);
  const state = progress.get(node.id);
  const cls = [
    "plan-node",
    node.hidden ? "hidden-node" : "",
    state === "started" ? "running" : state === "failed" || stat?.status === "failed" ? "failed" : state === "done" || stat ? "done" : "",
    selected === node.id ? "selected" : "",
  ].join(" ");
  return (
    <div className={cls} data-testid="plan-node" style={{ ["--src" as string]: sourceColor(node.source) }}>
      <Handle type="target" position={Position.Top} style={{ opacity: 0 }} isConnectable={false} />
      <div className="label" title={node.path.join(".")}>{nodeCaption(node)}</div>
      <div className="meta mono" title={`${node.source} · ${node.operation}`}>
        {node.source} · {node.operation}
      </div>
      <div className="meta">
        <span className="chip" title={node.kind === "bound" ? "a bound operation" : node.kind === "entity" ? "a Federation _entities fetch" : "a Federation subgraph root fetch"}>
          {node.kind === "bound" ? node.sourceKind : node.kind === "entity" ? "entities" : "subgraph"}
        </span>
        {node.mode === "batch" ? (
          <span className="chip batch" title="one call carries many keys">
            batch{stat ? ` ×${stat.batchSize}` : ""}
          </span>
        ) : (
          <span className="chip" title="one call per key (or one call)">single</span>
        )}
        {node.hidden && <span className="chip" title="fetched only as a key for another fetch">key</span>}
        {stat && (
          <>
            <span className={`chip ${stat.status === "failed" ? "err" : ""}`}>
              {stat.status === "failed" ? `${stat.failedCalls}/${stat.calls} failed` : `${stat.calls} call${stat.calls === 1 ? "" : "s"}`}
            </span>
            <span className="chip" title="The fetch node's time, from its start to its end (each call's own time is in Downstream calls)">
              node {formatMs(stat.durationMs)}
            </span>
          </>
        )}
      </div>
      <Handle type="source" position={Position.Bottom} style={{ opacity: 0 }} isConnectable={false} />
    </div>
  );
});

// A lane is a band behind the edges; its caption is a node of its own, drawn over the
// edges (an arrow passing under it does not cross its words).
const StageLane = memo(function StageLane({ data }: NodeProps<LaneNode>) {
  const { index, width, height } = data;
  return <div className={`stage-lane ${index % 2 ? "odd" : ""}`} style={{ width, height }} />;
});

const StageCaption = memo(function StageCaption({ data }: NodeProps<LaneNode>) {
  const { index, count } = data;
  return (
    <div className={`stage-label ${index % 2 ? "odd" : ""}`} data-testid="plan-stage">
      <strong>Stage {index + 1}</strong> · {index === 0 ? "starts at once" : `waits for stage ${index}`}
      {count > 1 ? ` · ${count} run together` : ""}
    </div>
  );
});

/** What a small plan reads of the view: nothing (it draws every node). */
const SMALL_PLAN_TRANSFORM: [number, number, number] = [0, 0, 1];

const nodeTypes = { fetch: FetchNodeBox, lane: StageLane, caption: StageCaption };

/** An edge that skips rows drawn around the nodes between, down the layout's right gutter. */
type DetourData = { x: number };
function DetourEdge(props: EdgeProps<Edge<DetourData>>) {
  const x = props.data?.x ?? props.sourceX;
  const drop = GAP_Y / 2 - 6;
  return (
    <BaseEdge
      id={props.id}
      path={detourPath(props.sourceX, props.sourceY, props.targetX, props.targetY, x, drop)}
      markerEnd={props.markerEnd}
      style={props.style}
      label={props.label}
      labelX={x}
      labelY={(props.sourceY + props.targetY) / 2}
      labelStyle={props.labelStyle}
      labelShowBg={props.labelShowBg}
      labelBgStyle={props.labelBgStyle}
      labelBgPadding={props.labelBgPadding}
      labelBgBorderRadius={props.labelBgBorderRadius}
    />
  );
}
const edgeTypes = { detour: DetourEdge };

function buildNodes(plan: PlanView, layout: Layout, measured: Map<number, { width: number; height: number }>): Node[] {
  const lanes: LaneNode[] = layout.rows.flatMap((row, i) => {
    const width = layout.width + 2 * LANE_SIDE;
    const height = row.height + GAP_Y;
    const data = { index: i, count: layout.layers[i]?.length ?? 0, width, height };
    const fixed = { draggable: false, selectable: false, focusable: false, connectable: false };
    return [
      { id: `lane-${i}`, type: "lane", position: { x: -LANE_SIDE, y: row.y - CAPTION }, data, width, height, zIndex: -1, ...fixed },
      { id: `lane-${i}-caption`, type: "caption", position: { x: -LANE_SIDE, y: row.y - CAPTION }, data, ...fixed },
    ];
  });
  const fetches: FetchNode[] = plan.nodes
    .filter((n) => layout.nodes.has(n.id))
    .map((n) => {
      const p = layout.nodes.get(n.id)!;
      const m = measured.get(n.id);
      return {
        id: String(n.id),
        type: "fetch" as const,
        position: { x: p.x, y: p.y },
        data: { node: n },
        ...(m ? { measured: m } : {}),
        draggable: false,
        connectable: false,
      };
    });
  return [...lanes, ...fetches];
}

export interface PlanGraphProps {
  plan: PlanView;
  stats: Map<number, NodeStat>;
  progress: Map<number, NodeState>;
  selected: number | null;
  onSelect: (id: number | null) => void;
  /** The panel height (CSS px) that would show the whole graph at the width it has. */
  onIdealHeight?: (px: number) => void;
}

export default function PlanGraph(props: PlanGraphProps) {
  // A new shape starts afresh (its own measurements and view).
  const shapeKey = props.plan.nodes.map((n) => `${n.id}:${n.label}`).join("|") + `/${props.plan.edges.length}`;
  const run = useMemo(
    () => ({ stats: props.stats, progress: props.progress, selected: props.selected }),
    [props.stats, props.progress, props.selected],
  );
  return (
    <RunContext.Provider value={run}>
      <ReactFlowProvider key={shapeKey}>
        <PlanFlow {...props} />
      </ReactFlowProvider>
    </RunContext.Provider>
  );
}

function PlanFlow({ plan, progress, selected, onSelect, onIdealHeight }: PlanGraphProps) {
  // A large plan is laid out once with the estimated heights (a second layout and render of
  // hundreds of nodes would double the time to a drawn graph), and React Flow is given only the
  // fetches near the view and the other ends of their edges (React Flow's own
  // `onlyRenderVisibleElements` still renders every node once, to measure its handles): the
  // first measurement then says the view is drawn.
  const large = plan.nodes.length > LARGE_PLAN;
  const [measured, setMeasured] = useState(() => new Map<number, { width: number; height: number }>());
  const [viewDrawn, setViewDrawn] = useState(false);
  const heights = useMemo(() => new Map([...measured].map(([id, m]) => [id, m.height])), [measured]);
  const layout = useMemo(
    () => layoutPlan(plan, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT, gapX: GAP_X, gapY: GAP_Y, heights }),
    [plan, heights],
  );
  const built = useMemo(() => buildNodes(plan, layout, measured), [plan, layout, measured]);
  const transform = useStore((st) => (large ? st.transform : SMALL_PLAN_TRANSFORM));
  const viewW = useStore((st) => st.width);
  const viewH = useStore((st) => st.height);
  const near = useMemo(() => {
    if (!large) return null;
    const ids = nodesNear(layout.nodes, () => ({ width: NODE_WIDTH, height: NODE_HEIGHT }), plan.edges, shownArea(transform, viewW, viewH));
    return [...ids].sort((a, b) => a - b).join(",");
  }, [large, layout, plan.edges, transform, viewW, viewH]);
  const keep = useMemo(() => (near === null ? null : new Set(near.split(","))), [near]);
  const nodes = useMemo(() => (keep ? built.filter((n) => n.type !== "fetch" || keep.has(n.id)) : built), [built, keep]);
  const onNodesChange = useCallback((changes: NodeChange[]) => {
    const sized = changes.flatMap((c) => (c.type === "dimensions" && c.dimensions && !c.id.startsWith("lane-") ? [c] : []));
    if (sized.length === 0) return;
    if (large) {
      // Only the nodes in view are rendered: the first of them measured means the view is.
      setViewDrawn(true);
      return;
    }
    setMeasured((m) => {
      let next: typeof m | null = null;
      for (const c of sized) {
        const id = Number(c.id);
        const old = m.get(id);
        if (old && old.width === c.dimensions!.width && old.height === c.dimensions!.height) continue;
        next ??= new Map(m);
        next.set(id, { width: c.dimensions!.width, height: c.dimensions!.height });
      }
      return next ?? m;
    });
  }, [large, plan]);

  const allEdges: Edge[] = useMemo(
    () =>
      plan.edges.map((e) => {
        const detour = layout.detours.find((d) => d.from === e.from && d.to === e.to);
        return {
          id: `${e.from}-${e.to}-${e.kind}`,
          source: String(e.from),
          target: String(e.to),
          ...(detour ? { type: "detour", data: { x: detour.x } } : {}),
          animated: progress.get(e.to) === "started",
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
          // `requires`: reads a key the other fetch wrote; `sequence`: a mutation field waits
          // for the one before it (mutations run one after another).
          style:
            e.kind === "requires"
              ? { strokeDasharray: "6 4" }
              : e.kind === "sequence"
                ? { strokeWidth: 2.5 }
                : undefined,
          label: e.kind === "requires" ? "requires" : e.kind === "sequence" ? "then" : undefined,
          // Labels sit on a chip of the panel's colour, above the lanes' lines and headers.
          labelStyle: { fontSize: 11, fontWeight: 600, fill: "var(--text)" },
          labelShowBg: true,
          labelBgStyle: { fill: "var(--panel)", stroke: "var(--border)" },
          labelBgPadding: [4, 2] as [number, number],
          labelBgBorderRadius: 3,
        };
      }),
    [plan, progress, layout],
  );
  // A large plan's edges whose two ends are drawn.
  const edges = useMemo(() => (keep ? allEdges.filter((e) => keep.has(e.source) && keep.has(e.target)) : allEdges), [allEdges, keep]);

  // The view: fitted at a readable zoom once every fetch is measured, again when the layout
  // or the panel changes size.
  const { setViewport } = useReactFlow();
  // A large plan is drawn as soon as the nodes in view are (the rest only when moved into view).
  const ready = layout.nodes.size > 0 && (large ? viewDrawn : [...layout.nodes.keys()].every((id) => measured.has(id)));
  const bounds = useMemo(() => {
    const first = layout.rows[0];
    const last = layout.rows[layout.rows.length - 1];
    if (!first || !last) return null;
    const top = first.y - CAPTION;
    return { x: -LANE_SIDE, y: top, width: layout.width + 2 * LANE_SIDE, height: last.y + last.height + GAP_Y - CAPTION - top };
  }, [layout]);
  const fit = useCallback(() => {
    if (bounds && viewW > 0 && viewH > 0) void setViewport(fitReadable(bounds, { width: viewW, height: viewH }, FIT));
  }, [bounds, viewW, viewH, setViewport]);
  useEffect(() => {
    if (ready) fit();
  }, [ready, fit]);
  // This shape's time from arriving to drawn (laid out, every node measured, fitted).
  const started = useRef(performance.now());
  const reported = useRef(false);
  useEffect(() => {
    if (!ready || reported.current) return;
    reported.current = true;
    measureDrawn("plan-drawn", started.current, { nodes: plan.nodes.length, edges: plan.edges.length });
  }, [ready, plan]);
  useEffect(() => {
    if (!ready || !bounds || viewW <= 0 || !onIdealHeight) return;
    const zoom = fitReadable(bounds, { width: viewW, height: 1e6 }, FIT).zoom;
    onIdealHeight(Math.ceil(bounds.height * zoom + FIT.padding.top + FIT.padding.bottom));
  }, [ready, bounds, viewW, onIdealHeight]);

  return (
    <div className="plan-flow">
      <div className="plan-canvas">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          minZoom={0.2}
          maxZoom={2}
          nodesConnectable={false}
          nodesDraggable={false}
          elementsSelectable={false}
          onNodeClick={(_, n) => {
            if (n.type !== "fetch") return onSelect(null);
            onSelect(Number(n.id) === selected ? null : Number(n.id));
          }}
          onPaneClick={() => onSelect(null)}
          proOptions={{ hideAttribution: true }}
        />
      </div>
      {/* Below the graph, not over it: the fitted graph has the whole canvas. */}
      <ZoomBar label="Graph view" testId="plan" onFit={fit} fitTitle="Fit the graph (text stays readable)" />
    </div>
  );
}
