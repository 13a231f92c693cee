// The schema designer's canvas, drawn with React Flow: one node per source operation (with a
// source handle) and per type (field rows, each with a target handle), placed by ELK
// (designer/arrange.ts, in a worker) with every binding edge routed around the boxes. Drawing
// an edge from an operation to a field row binds it; clicking an operation and then a row
// selects both, for the panel's Bind button (keyboard: Tab + Enter). Boxes can be dragged: their
// places are kept per workspace in this window's storage (not in the shared workspace file)
// until Arrange puts them back; a search box finds a type, field or operation and shows it.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  BaseEdge,
  getSmoothStepPath,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeChange,
  type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { WorkspaceDoc } from "../designer";
import type { CanvasLayout, OpBox, ProblemsOnCanvas, TypeBox } from "../designer/canvas";
import { problemCountOfType } from "../designer/canvas";
import { arrange, elkGraph, fieldPortY, routedPath, type Arranged, type Point } from "../designer/arrange";
import { elk } from "./elk";
import { findOnCanvas, loadMoved, saveMoved } from "../designer/place";
import { measureDrawn } from "../timing";
import { ZoomBar } from "../components/ZoomBar";
import { useDark } from "../useDark";
import { fitReadable, readableZoom } from "../plan/viewport";

/** From this many boxes on (or whenever the view cannot show them all), an overview map is
 * drawn in the canvas's corner. */
const MINIMAP_FROM = 16;
/** The field rows' text is 12 px (styles.css `.dz-type`): the first view never draws it
 * below 11 px. */
const READABLE_ZOOM = readableZoom(12);
const PADDING = 12;

export interface FieldRef {
  type: string;
  field: string;
}

export interface DesignerGraphProps {
  /** Whose moved boxes to keep and restore. */
  workspaceId: string | number;
  doc: WorkspaceDoc;
  layout: CanvasLayout;
  problems: ProblemsOnCanvas;
  selectedOp: string | null;
  selectedField: FieldRef | null;
  /** The type new fields go to (its header is marked). */
  selectedType: string | null;
  onSelectOp: (id: string | null) => void;
  onSelectField: (f: FieldRef | null) => void;
  onSelectType: (type: string) => void;
  /** A click on the empty canvas. */
  onPane: () => void;
  onConnect: (opId: string, f: FieldRef) => void;
}

interface OpData extends Record<string, unknown> {
  box: OpBox;
  selected: boolean;
  found: boolean;
  /** Bound to no field yet. */
  unbound: boolean;
  onSelect: (id: string) => void;
}

interface TypeData extends Record<string, unknown> {
  box: TypeBox;
  doc: WorkspaceDoc;
  problems: ProblemsOnCanvas;
  selectedField: string | null;
  typeSelected: boolean;
  /** The search's match: the whole box (`""`) or one field row. */
  found: string | null;
  onSelect: (f: FieldRef) => void;
  onSelectType: (type: string) => void;
}

type OpNode = Node<OpData, "op">;
type TypeNode = Node<TypeData, "type">;

const activate = (fn: () => void) => (e: React.KeyboardEvent) => {
  if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    fn();
  }
};

const OpNodeBox = memo(function OpNodeBox({ data }: NodeProps<OpNode>) {
  const { box, selected, found, unbound, onSelect } = data;
  return (
    <div
      className={`dz-op ${selected ? "selected" : ""} ${found ? "found" : ""} ${unbound ? "unbound" : ""}`}
      style={{ width: box.width, height: box.height }}
      data-testid={`designer-op-${box.source}.${box.operation}`}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      title={`${box.source}.${box.operation} (${box.kind})${box.inputs.length ? `, inputs: ${box.inputs.join(", ")}` : ""}${unbound ? ". Bound to no field yet: draw an edge from it to a field." : ""}`}
      onClick={() => onSelect(box.id)}
      onKeyDown={activate(() => onSelect(box.id))}
    >
      <div className="label">{box.operation}</div>
      <div className="detail mono">{box.source} · {box.kind}</div>
      <Handle type="source" position={Position.Right} id="out" />
    </div>
  );
});

const TypeNodeBox = memo(function TypeNodeBox({ data }: NodeProps<TypeNode>) {
  const { box, doc, problems, selectedField, typeSelected, found, onSelect, onSelectType } = data;
  const fields = doc.schema.types[box.type]?.fields ?? {};
  const own = problems.types.get(box.type) ?? [];
  const count = problemCountOfType(problems, box.type, box.fields);
  const shown = [...own];
  for (const f of box.fields) {
    shown.push(...(problems.fields.get(`${box.type}.${f}`) ?? []), ...(problems.bindings.get(`${box.type}.${f}`) ?? []));
  }
  return (
    <div className={`dz-type ${count > 0 ? "bad" : ""} ${found === "" ? "found" : ""}`} style={{ width: box.width, minHeight: box.height }} data-testid={`designer-type-${box.type}`}>
      <div
        className={`dz-head ${typeSelected ? "selected" : ""}`}
        data-testid={`designer-type-head-${box.type}`}
        role="button"
        tabIndex={0}
        aria-pressed={typeSelected}
        title="Select the type (new fields are added to it)"
        onClick={() => onSelectType(box.type)}
        onKeyDown={activate(() => onSelectType(box.type))}
      >
        <span className="grow">{box.type}</span>
        {count > 0 && <span className="dz-badge" title={`${count} problem(s)`}>⚠ {count}</span>}
      </div>
      {box.fields.map((name) => {
        const f = fields[name];
        const key = `${box.type}.${name}`;
        const bad = (problems.fields.get(key)?.length ?? 0) + (problems.bindings.get(key)?.length ?? 0) > 0;
        const sel = selectedField === name;
        return (
          <div
            key={name}
            className={`dz-field ${sel ? "selected" : ""} ${bad ? "bad" : ""} ${f?.private ? "private" : ""} ${found === name ? "found" : ""}`}
            data-testid={`designer-field-${key}`}
            data-bound={f?.binding ? `${f.binding.source}.${f.binding.operation}` : ""}
            role="button"
            tabIndex={0}
            aria-pressed={sel}
            onClick={() => onSelect({ type: box.type, field: name })}
            onKeyDown={activate(() => onSelect({ type: box.type, field: name }))}
          >
            <Handle type="target" position={Position.Left} id={name} />
            <span className="mono">{name}</span>
            <span className="muted mono">{f?.type}</span>
            {f?.private && <span className="dz-tag" title="Private: kept out of the public schema">private</span>}
            {f?.binding && <span className="dz-bound mono" title="Bound to">{f.binding.source}·{f.binding.operation}</span>}
          </div>
        );
      })}
      {box.fields.length === 0 && (
        <div className="dz-empty muted">No fields yet: add one in the panel.</div>
      )}
      {shown.length > 0 && (
        <ul className="dz-problems">
          {shown.map((p, i) => (
            <li key={`${p.path}-${i}`} data-testid="designer-problem" data-path={p.path} title={p.path}>{p.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
});

const nodeTypes = { op: OpNodeBox, type: TypeNodeBox };

interface RoutedData extends Record<string, unknown> {
  /** ELK's route, when the edge's ends are where ELK put them. */
  route: Point[] | null;
}
type RoutedEdgeT = Edge<RoutedData, "routed">;

/** A binding edge along ELK's route (or, for a box moved by hand, a plain step path). */
const RoutedEdge = memo(function RoutedEdge(p: EdgeProps<RoutedEdgeT>) {
  const route = p.data?.route;
  let path: string;
  let labelX: number;
  let labelY: number;
  if (route && route.length >= 2) {
    path = routedPath(route, { x: p.sourceX, y: p.sourceY }, { x: p.targetX, y: p.targetY });
    const mid = route[Math.floor(route.length / 2)]!;
    [labelX, labelY] = [mid.x, mid.y];
  } else {
    [path, labelX, labelY] = getSmoothStepPath(p);
  }
  return <BaseEdge id={p.id} path={path} markerEnd={p.markerEnd} label={p.label} labelX={labelX} labelY={labelY} style={p.style} />;
});

const edgeTypes = { routed: RoutedEdge };


type Size = { width: number; height: number };
/** What a node's size and handles depend on: its field rows. */
const shapeOf = (id: string, fields: readonly string[] = []) => `${id}|${fields.join(",")}`;

export default function DesignerGraph(props: DesignerGraphProps) {
  const { layout } = props;
  // A new set of boxes starts afresh (its own view, fitted again).
  const shapeKey = [...layout.ops.map((o) => o.id), ...layout.types.map((t) => t.id)].join("|");
  return (
    <div className="plan-flow">
      <ReactFlowProvider key={shapeKey}>
        <DesignerFlow {...props} />
      </ReactFlowProvider>
    </div>
  );
}

/** ELK's answer for one graph (its JSON text is the key). */
interface Placed extends Arranged {
  key: string;
}

function DesignerFlow(props: DesignerGraphProps) {
  const { workspaceId, doc, layout, problems, selectedOp, selectedField, selectedType, onSelectOp, onSelectField, onSelectType, onPane, onConnect } =
    props;
  // React Flow draws a node only once measured, and forgets the measurement whenever it gets
  // a new node object without one (every edit and selection makes new objects): the sizes it
  // reports are kept and handed back, per node shape, so nodes never blink out (see
  // plan/PlanGraph.tsx for the failure this caused there).
  const [measured, setMeasured] = useState(() => new Map<string, Size>());
  // Boxes the person dragged: kept per workspace until Arrange.
  const [moved, setMoved] = useState(() => loadMoved(workspaceId));
  const movedRef = useRef(moved);
  movedRef.current = moved;
  const shapes = useMemo(() => new Map(layout.types.map((t) => [t.id, shapeOf(t.id, t.fields)])), [layout]);
  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const sized = changes.flatMap((c) => (c.type === "dimensions" && c.dimensions ? [c] : []));
      if (sized.length > 0) {
        setMeasured((m) => {
          let next: Map<string, Size> | null = null;
          for (const c of sized) {
            const key = shapes.get(c.id) ?? shapeOf(c.id);
            const old = m.get(key);
            if (old && old.width === c.dimensions!.width && old.height === c.dimensions!.height) continue;
            next ??= new Map(m);
            next.set(key, { width: c.dimensions!.width, height: c.dimensions!.height });
          }
          return next ?? m;
        });
      }
      const drags = changes.flatMap((c) => (c.type === "position" ? [c] : []));
      if (drags.length > 0) {
        const next = new Map(movedRef.current);
        let ended = false;
        for (const c of drags) {
          if (c.position) next.set(c.id, { x: Math.round(c.position.x), y: Math.round(c.position.y) });
          if (c.dragging === false) ended = true;
        }
        movedRef.current = next;
        setMoved(next);
        if (ended) saveMoved(workspaceId, next);
      }
    },
    [shapes, workspaceId],
  );
  const arrangeAgain = () => {
    const none = new Map<string, { x: number; y: number }>();
    movedRef.current = none;
    setMoved(none);
    saveMoved(workspaceId, none);
  };

  // The sizes ELK must allow for: a box drawn larger than canvas.ts's estimate (a type with
  // its problems listed under its rows).
  const sizes = useMemo(() => {
    const out = new Map<string, Size>();
    for (const b of [...layout.ops, ...layout.types]) {
      const m = measured.get("fields" in b ? shapeOf(b.id, b.fields) : shapeOf(b.id));
      if (m && (m.height > b.height + 1 || m.width > b.width + 1)) out.set(b.id, m);
    }
    return out;
  }, [layout, measured]);
  // Everything the layout depends on, as text: a new layout only when it changes.
  const graphKey = useMemo(() => JSON.stringify(elkGraph(doc, layout, sizes)), [doc, layout, sizes]);
  const [placed, setPlaced] = useState<Placed | null>(null);
  const [layoutError, setLayoutError] = useState<string | null>(null);
  // Asked for while the first render is still being drawn: ELK works in its worker meanwhile.
  const pending = useMemo(() => {
    const answer = arrange(elk, doc, layout, sizes);
    answer.catch(() => {});
    return { key: graphKey, answer };
    // `doc`, `layout` and `sizes` go with `graphKey`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graphKey]);
  useEffect(() => {
    let current = true;
    pending.answer.then(
      (out) => {
        if (!current) return;
        setLayoutError(null);
        setPlaced({ key: pending.key, ...out });
      },
      (e: unknown) => {
        if (current) setLayoutError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      current = false;
    };
  }, [pending]);

  // Where each box is drawn: where the person put it, else where ELK put it (the last answer
  // while a new one is worked out), else canvas.ts's grid (when ELK failed).
  const at = useMemo(() => {
    const elkAt = new Map([...(placed?.layout.ops ?? []), ...(placed?.layout.types ?? [])].map((b) => [b.id, b]));
    const out = new Map<string, { x: number; y: number; width: number; height: number }>();
    for (const b of [...layout.ops, ...layout.types]) {
      const e = elkAt.get(b.id);
      const m = moved.get(b.id);
      out.set(b.id, {
        x: m?.x ?? e?.x ?? b.x,
        y: m?.y ?? e?.y ?? b.y,
        width: Math.max(b.width, e?.width ?? 0),
        height: Math.max(b.height, e?.height ?? 0),
      });
    }
    return out;
  }, [layout, placed, moved]);
  const ready = placed !== null || layoutError !== null;
  // A node handed to React Flow again between its measurement and our hearing of it (ELK's
  // answer can land just then) loses its handles' bounds: it stays drawn, but no edge reaches it
  // and no edge can be drawn to it. Every placement has React Flow measure the boxes again.
  const updateNodeInternals = useUpdateNodeInternals();
  useEffect(() => {
    if (placed) updateNodeInternals([...layout.ops.map((o) => o.id), ...layout.types.map((t) => t.id)]);
    // Once per placement.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [placed]);

  // From mounting to every box placed, drawn and measured (what `make bench-app` reports).
  const started = useRef(performance.now());
  const reported = useRef(false);
  const boxes = layout.ops.length + layout.types.length;
  useEffect(() => {
    if (reported.current || !placed || boxes === 0 || measured.size < boxes) return;
    reported.current = true;
    measureDrawn("designer-drawn", started.current, { types: layout.types.length, operations: layout.ops.length });
  }, [measured, placed, boxes, layout]);

  // The canvas search: Enter (or the arrows) goes through the matches, each shown in the middle.
  const [search, setSearch] = useState("");
  const [hit, setHit] = useState(0);
  const matches = useMemo(() => findOnCanvas(layout, search), [layout, search]);
  const found = matches.length > 0 ? matches[((hit % matches.length) + matches.length) % matches.length]! : null;

  const sizeOf = (key: string) => {
    const m = measured.get(key);
    return m ? { measured: m } : {};
  };
  const pos = (id: string) => {
    const p = at.get(id);
    return { x: p?.x ?? 0, y: p?.y ?? 0 };
  };
  const boundOps = useMemo(() => new Set(layout.edges.map((e) => e.source)), [layout]);
  const nodes: (OpNode | TypeNode)[] = useMemo(
    () => [
      ...layout.ops.map((box): OpNode => ({
        id: box.id,
        type: "op",
        position: pos(box.id),
        className: ready ? "" : "dz-unplaced",
        data: { box, selected: box.id === selectedOp, found: found?.id === box.id, unbound: !boundOps.has(box.id), onSelect: onSelectOp },
        ...sizeOf(shapeOf(box.id)),
      })),
      ...layout.types.map((box): TypeNode => ({
        id: box.id,
        type: "type",
        position: pos(box.id),
        className: ready ? "" : "dz-unplaced",
        ...sizeOf(shapeOf(box.id, box.fields)),
        data: {
          box: { ...box, height: at.get(box.id)?.height ?? box.height },
          doc,
          problems,
          selectedField: selectedField?.type === box.type ? selectedField.field : null,
          typeSelected: selectedType === box.type,
          found: found?.id === box.id ? found.field : null,
          onSelect: onSelectField,
          onSelectType,
        },
      })),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [layout, at, ready, doc, problems, selectedOp, selectedField, selectedType, onSelectOp, onSelectField, onSelectType, measured, found, boundOps],
  );
  const edges: RoutedEdgeT[] = useMemo(
    () =>
      layout.edges.map((e) => {
        const key = `${e.type}.${e.field}`;
        const bad = (problems.bindings.get(key)?.length ?? 0) > 0;
        const sel = selectedField?.type === e.type && selectedField.field === e.field;
        // ELK's route holds while neither end was moved by hand.
        const route = moved.has(e.source) || moved.has(e.target) ? null : placed?.routes.get(e.id) ?? null;
        return {
          id: e.id,
          type: "routed",
          source: e.source,
          sourceHandle: "out",
          target: e.target,
          targetHandle: e.field,
          markerEnd: { type: MarkerType.ArrowClosed },
          className: `dz-edge ${bad ? "bad" : ""} ${sel ? "selected" : ""}`,
          label: bad ? `⚠ ${problems.bindings.get(key)?.length ?? 0}` : undefined,
          ariaLabel: `binding of ${key}`,
          data: { route },
        };
      }),
    [layout, problems, selectedField, placed, moved],
  );
  const connect = (c: Connection) => {
    if (c.source && c.target.startsWith("type:") && c.targetHandle) {
      onConnect(c.source, { type: c.target.slice("type:".length), field: c.targetHandle });
    }
  };
  const dark = useDark();
  const { setViewport, setCenter, getZoom } = useReactFlow();
  const viewW = useStore((s) => s.width);
  const viewH = useStore((s) => s.height);
  const bounds = useMemo(() => {
    const all = [...at.values()];
    if (all.length === 0) return null;
    const x = Math.min(...all.map((b) => b.x));
    const y = Math.min(...all.map((b) => b.y));
    const right = Math.max(...all.map((b) => b.x + b.width));
    const bottom = Math.max(...all.map((b) => b.y + b.height));
    return { x, y, width: right - x, height: bottom - y };
  }, [at]);
  const view = { width: viewW, height: viewH };
  const everything = (minZoom: number) =>
    bounds && viewW > 0 && viewH > 0 ? fitReadable(bounds, view, { padding: PADDING, minZoom, maxZoom: 1 }) : null;
  // Every box when that is readable; otherwise the top left at a readable zoom, with the
  // overview map to move around and Fit to see everything small.
  const clipped = (everything(0.05)?.zoom ?? 1) < READABLE_ZOOM;
  const viewed = useRef(false);
  useEffect(() => {
    if (viewed.current || !ready || !bounds || viewW <= 0 || viewH <= 0) return;
    viewed.current = true;
    void setViewport(fitReadable(bounds, { width: viewW, height: viewH }, { padding: PADDING, minZoom: READABLE_ZOOM, maxZoom: 1 }));
  }, [ready, bounds, viewW, viewH, setViewport]);
  const fitAll = () => {
    const v = everything(0.05);
    if (v) void setViewport(v);
  };
  // A new match is brought to the middle of the view, at a readable zoom.
  const shown = found ? `${found.id}|${found.field}` : "";
  useEffect(() => {
    if (!found || !ready) return;
    const b = at.get(found.id);
    if (!b) return;
    const type = layout.types.find((t) => t.id === found.id);
    const row = type && found.field ? type.fields.indexOf(found.field) : -1;
    const y = row >= 0 ? b.y + fieldPortY(row) : b.y + Math.min(b.height, 200) / 2;
    void setCenter(b.x + b.width / 2, y, { zoom: Math.max(getZoom(), READABLE_ZOOM), duration: 200 });
    // Only when the match changes, not when boxes move.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown, ready]);
  return (
    <>
      <div className="plan-canvas" data-arranged={placed?.key === graphKey ? "elk" : layoutError ? "grid" : "pending"}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          minZoom={0.05}
          nodesDraggable
          nodeDragThreshold={4}
          nodesConnectable
          onConnect={connect}
          onEdgeClick={(_, e) => {
            const t = e.target.slice("type:".length);
            if (e.targetHandle) onSelectField({ type: t, field: e.targetHandle });
          }}
          onPaneClick={onPane}
          proOptions={{ hideAttribution: true }}
          colorMode={dark ? "dark" : "light"}
        >
          {(boxes >= MINIMAP_FROM || clipped) && (
            <MiniMap
              pannable
              zoomable
              position="bottom-right"
              ariaLabel="Overview of the schema: drag to move the view"
              // A quarter of the canvas's width at most: in a small window it covers less.
              style={{ width: Math.min(200, Math.max(120, viewW / 4)), height: Math.min(150, Math.max(90, viewW * 0.19)) }}
              nodeColor={(n) => (n.type === "op" ? "#e9c94a" : dark ? "#475569" : "#cbd5e1")}
            />
          )}
        </ReactFlow>
        {!ready && <div className="dz-arranging muted">Arranging…</div>}
      </div>
      {/* Below the canvas, not over it: no box is ever hidden under a control. */}
      <ZoomBar label="Designer view" testId="designer" onFit={fitAll} fitTitle="Show every box (small when there are many)" hint="drag a box to move it · scroll to zoom">
        <input
          className="dz-search"
          type="search"
          placeholder="Find a type, field or operation"
          aria-label="Find a type, field or operation on the canvas"
          data-testid="designer-search"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setHit(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === "ArrowDown") {
              e.preventDefault();
              setHit((h) => h + (e.shiftKey ? -1 : 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setHit((h) => h - 1);
            } else if (e.key === "Escape") {
              setSearch("");
            }
          }}
        />
        {search.trim() && (
          <span className="muted" data-testid="designer-search-count" title={found?.label}>
            {matches.length === 0 ? "no match" : `${(((hit % matches.length) + matches.length) % matches.length) + 1} of ${matches.length}: ${found?.label}`}
          </span>
        )}
        {moved.size > 0 && (
          <button className="ghost" onClick={arrangeAgain} data-testid="designer-arrange" title="Put the boxes you moved back where the automatic layout places them">
            Arrange
          </button>
        )}
        {layoutError && (
          <span className="err" title={layoutError}>
            automatic layout failed: boxes in a grid
          </span>
        )}
      </ZoomBar>
    </>
  );
}
