// The schema designer's canvas, drawn with React Flow over designer/canvas.ts's layout: one
// node per source operation (left, with a source handle) and per type (field rows, each with a
// target handle). Drawing an edge from an operation to a field row binds it; clicking an
// operation and then a row selects both, for the panel's Bind button (keyboard: Tab + Enter).
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type Node,
  type NodeChange,
  type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { WorkspaceDoc } from "../designer";
import type { CanvasLayout, OpBox, ProblemsOnCanvas, TypeBox } from "../designer/canvas";
import { problemCountOfType } from "../designer/canvas";
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
  onSelect: (id: string) => void;
}

interface TypeData extends Record<string, unknown> {
  box: TypeBox;
  doc: WorkspaceDoc;
  problems: ProblemsOnCanvas;
  selectedField: string | null;
  typeSelected: boolean;
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
  const { box, selected, onSelect } = data;
  return (
    <div
      className={`dz-op ${selected ? "selected" : ""}`}
      style={{ width: box.width, height: box.height }}
      data-testid={`designer-op-${box.source}.${box.operation}`}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      title={`${box.source}.${box.operation} (${box.kind})${box.inputs.length ? `, inputs: ${box.inputs.join(", ")}` : ""}`}
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
  const { box, doc, problems, selectedField, typeSelected, onSelect, onSelectType } = data;
  const fields = doc.schema.types[box.type]?.fields ?? {};
  const own = problems.types.get(box.type) ?? [];
  const count = problemCountOfType(problems, box.type, box.fields);
  const shown = [...own];
  for (const f of box.fields) {
    shown.push(...(problems.fields.get(`${box.type}.${f}`) ?? []), ...(problems.bindings.get(`${box.type}.${f}`) ?? []));
  }
  return (
    <div className={`dz-type ${count > 0 ? "bad" : ""}`} style={{ width: box.width, minHeight: box.height }} data-testid={`designer-type-${box.type}`}>
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
            className={`dz-field ${sel ? "selected" : ""} ${bad ? "bad" : ""} ${f?.private ? "private" : ""}`}
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

function DesignerFlow(props: DesignerGraphProps) {
  const { doc, layout, problems, selectedOp, selectedField, selectedType, onSelectOp, onSelectField, onSelectType, onPane, onConnect } = props;
  // React Flow draws a node only once measured, and forgets the measurement whenever it gets
  // a new node object without one (every edit and selection makes new objects): the sizes it
  // reports are kept and handed back, per node shape, so nodes never blink out (see
  // plan/PlanGraph.tsx for the failure this caused there).
  const [measured, setMeasured] = useState(() => new Map<string, Size>());
  const shapes = useMemo(() => new Map(layout.types.map((t) => [t.id, shapeOf(t.id, t.fields)])), [layout]);
  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const sized = changes.flatMap((c) => (c.type === "dimensions" && c.dimensions ? [c] : []));
      if (sized.length === 0) return;
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
    },
    [shapes],
  );
  // From mounting to every box drawn and measured (what `make bench-app` reports).
  const started = useRef(performance.now());
  const reported = useRef(false);
  const boxes = layout.ops.length + layout.types.length;
  useEffect(() => {
    if (reported.current || boxes === 0 || measured.size < boxes) return;
    reported.current = true;
    measureDrawn("designer-drawn", started.current, { types: layout.types.length, operations: layout.ops.length });
  }, [measured, boxes, layout]);
  const sizeOf = (key: string) => {
    const m = measured.get(key);
    return m ? { measured: m } : {};
  };
  const nodes: (OpNode | TypeNode)[] = useMemo(
    () => [
      ...layout.ops.map((box): OpNode => ({
        id: box.id,
        type: "op",
        position: { x: box.x, y: box.y },
        data: { box, selected: box.id === selectedOp, onSelect: onSelectOp },
        ...sizeOf(shapeOf(box.id)),
        draggable: false,
      })),
      ...layout.types.map((box): TypeNode => ({
        id: box.id,
        type: "type",
        position: { x: box.x, y: box.y },
        ...sizeOf(shapeOf(box.id, box.fields)),
        data: {
          box,
          doc,
          problems,
          selectedField: selectedField?.type === box.type ? selectedField.field : null,
          typeSelected: selectedType === box.type,
          onSelect: onSelectField,
          onSelectType,
        },
        draggable: false,
      })),
    ],
    [layout, doc, problems, selectedOp, selectedField, selectedType, onSelectOp, onSelectField, onSelectType, measured],
  );
  const edges: Edge[] = useMemo(
    () =>
      layout.edges.map((e) => {
        const key = `${e.type}.${e.field}`;
        const bad = (problems.bindings.get(key)?.length ?? 0) > 0;
        const sel = selectedField?.type === e.type && selectedField.field === e.field;
        return {
          id: e.id,
          source: e.source,
          sourceHandle: "out",
          target: e.target,
          targetHandle: e.field,
          markerEnd: { type: MarkerType.ArrowClosed },
          className: `dz-edge ${bad ? "bad" : ""} ${sel ? "selected" : ""}`,
          label: bad ? `⚠ ${problems.bindings.get(key)?.length ?? 0}` : undefined,
          ariaLabel: `binding of ${key}`,
          data: { type: e.type, field: e.field },
        };
      }),
    [layout, problems, selectedField],
  );
  const connect = (c: Connection) => {
    if (c.source && c.target.startsWith("type:") && c.targetHandle) {
      onConnect(c.source, { type: c.target.slice("type:".length), field: c.targetHandle });
    }
  };
  const dark = useDark();
  const { setViewport } = useReactFlow();
  const viewW = useStore((s) => s.width);
  const viewH = useStore((s) => s.height);
  const bounds = useMemo(() => {
    const all = [...layout.ops, ...layout.types];
    if (all.length === 0) return null;
    const x = Math.min(...all.map((b) => b.x));
    const y = Math.min(...all.map((b) => b.y));
    const right = Math.max(...all.map((b) => b.x + b.width));
    const bottom = Math.max(...all.map((b) => b.y + b.height));
    return { x, y, width: right - x, height: bottom - y };
  }, [layout]);
  const view = { width: viewW, height: viewH };
  const everything = (minZoom: number) =>
    bounds && viewW > 0 && viewH > 0 ? fitReadable(bounds, view, { padding: PADDING, minZoom, maxZoom: 1 }) : null;
  // Every box when that is readable; otherwise the top left at a readable zoom, with the
  // overview map to move around and Fit to see everything small.
  const clipped = (everything(0.05)?.zoom ?? 1) < READABLE_ZOOM;
  const placed = useRef(false);
  useEffect(() => {
    if (placed.current || !bounds || viewW <= 0 || viewH <= 0) return;
    placed.current = true;
    void setViewport(fitReadable(bounds, { width: viewW, height: viewH }, { padding: PADDING, minZoom: READABLE_ZOOM, maxZoom: 1 }));
  }, [bounds, viewW, viewH, setViewport]);
  const fitAll = () => {
    const v = everything(0.05);
    if (v) void setViewport(v);
  };
  return (
    <>
      <div className="plan-canvas">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          minZoom={0.05}
          nodesDraggable={false}
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
              nodeColor={(n) => (n.type === "op" ? "#e9c94a" : dark ? "#475569" : "#cbd5e1")}
            />
          )}
        </ReactFlow>
      </div>
      {/* Below the canvas, not over it: no box is ever hidden under a control. */}
      <ZoomBar label="Designer view" testId="designer" onFit={fitAll} fitTitle="Show every box (small when there are many)" />
    </>
  );
}
