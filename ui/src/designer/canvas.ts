// What the designer canvas draws, worked out without React: the operations of every source
// (left column) and the unified schema's types (columns to the right, each as tall as its
// field list), the binding edges (operation -> field row), and which node, row or edge each
// problem belongs to (by its JSON path), client-side and server-side problems merged.
import type { WorkspaceDoc } from "./types";
import { operationInputs } from "./doc";
import { problemTarget } from "./problems";

export interface CanvasOptions {
  opWidth: number;
  opHeight: number;
  typeWidth: number;
  headerHeight: number;
  rowHeight: number;
  gapX: number;
  gapY: number;
  /** How many columns the types are spread over. */
  typeColumns: number;
}

export const CANVAS_DEFAULTS: CanvasOptions = {
  opWidth: 200,
  opHeight: 48,
  typeWidth: 280,
  headerHeight: 30,
  rowHeight: 26,
  gapX: 120,
  gapY: 24,
  typeColumns: 2,
};

export interface OpBox {
  id: string;
  source: string;
  operation: string;
  kind: string;
  inputs: string[];
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TypeBox {
  id: string;
  type: string;
  fields: string[];
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BindingEdge {
  id: string;
  /** The operation node. */
  source: string;
  /** The type node; the field is the target handle. */
  target: string;
  field: string;
  type: string;
}

export interface CanvasLayout {
  ops: OpBox[];
  types: TypeBox[];
  edges: BindingEdge[];
}

export const opNodeId = (source: string, operation: string): string => `op:${source}.${operation}`;
export const typeNodeId = (type: string): string => `type:${type}`;
export const bindingEdgeId = (type: string, field: string): string => `bind:${type}.${field}`;

/** Places operations and types; the same document always gives the same layout. */
export function layoutCanvas(doc: WorkspaceDoc, options: Partial<CanvasOptions> = {}): CanvasLayout {
  const o = { ...CANVAS_DEFAULTS, ...options };
  const ops: OpBox[] = [];
  let y = 0;
  for (const [source, def] of Object.entries(doc.sources ?? {})) {
    for (const operation of Object.keys(def.operations ?? {})) {
      const inputs = Object.keys(operationInputs(def, operation));
      ops.push({ id: opNodeId(source, operation), source, operation, kind: def.kind, inputs, x: 0, y, width: o.opWidth, height: o.opHeight });
      y += o.opHeight + o.gapY;
    }
  }
  const columns = Math.max(1, o.typeColumns);
  const heights = new Array<number>(columns).fill(0);
  const types: TypeBox[] = [];
  const edges: BindingEdge[] = [];
  for (const [type, def] of Object.entries(doc.schema.types)) {
    const fields = Object.keys(def.fields);
    const height = o.headerHeight + Math.max(1, fields.length) * o.rowHeight + 8;
    let col = 0;
    for (let i = 1; i < columns; i++) if ((heights[i] ?? 0) < (heights[col] ?? 0)) col = i;
    const x = o.opWidth + o.gapX + col * (o.typeWidth + o.gapX);
    const top = heights[col] ?? 0;
    types.push({ id: typeNodeId(type), type, fields, x, y: top, width: o.typeWidth, height });
    heights[col] = top + height + o.gapY;
    for (const [field, f] of Object.entries(def.fields)) {
      // An aggregated write: one edge per target, labelled by the target.
      for (const [label, t] of Object.entries(f.aggregate?.targets ?? {})) {
        edges.push({
          id: `${bindingEdgeId(type, field)}@${label}`,
          source: opNodeId(t.source, t.operation),
          target: typeNodeId(type),
          field,
          type,
        });
      }
      const b = f.binding;
      if (!b) continue;
      edges.push({ id: bindingEdgeId(type, field), source: opNodeId(b.source, b.operation), target: typeNodeId(type), field, type });
    }
  }
  return { ops, types, edges };
}

export interface CanvasProblem {
  code: string;
  path: string;
  message: string;
}

export interface ProblemsOnCanvas {
  /** By type name. */
  types: Map<string, CanvasProblem[]>;
  /** By `Type.field` (the field row). */
  fields: Map<string, CanvasProblem[]>;
  /** By `Type.field` (the binding edge and its panel). */
  bindings: Map<string, CanvasProblem[]>;
  /** The rest: the schema as a whole, sources, environments... */
  general: CanvasProblem[];
}

function add(map: Map<string, CanvasProblem[]>, key: string, p: CanvasProblem): void {
  const list = map.get(key) ?? [];
  list.push(p);
  map.set(key, list);
}

/** Problems (the designer's and the server's, duplicates once) by what they belong to. */
export function problemsOnCanvas(...lists: readonly (readonly CanvasProblem[])[]): ProblemsOnCanvas {
  const out: ProblemsOnCanvas = { types: new Map(), fields: new Map(), bindings: new Map(), general: [] };
  const seen = new Set<string>();
  for (const list of lists) {
    for (const p of list) {
      const k = `${p.path}\u0000${p.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const t = problemTarget(p.path);
      if (t.kind === "type") add(out.types, t.type, p);
      else if (t.kind === "field") add(out.fields, `${t.type}.${t.field}`, p);
      else if (t.kind === "binding") add(out.bindings, `${t.type}.${t.field}`, p);
      else out.general.push(p);
    }
  }
  return out;
}

/** How many problems a type node carries (its own, its rows' and its bindings'). */
export function problemCountOfType(p: ProblemsOnCanvas, type: string, fields: readonly string[]): number {
  let n = p.types.get(type)?.length ?? 0;
  for (const f of fields) n += (p.fields.get(`${type}.${f}`)?.length ?? 0) + (p.bindings.get(`${type}.${f}`)?.length ?? 0);
  return n;
}
