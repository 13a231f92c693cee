// Problems as the Rust checker reports them (crates/knot-model/src/problem.rs): a kebab-case
// code, a JSON path such as `$.schema.types.Order.fields.user.binding.source`, a message.
import { isGraphqlName } from "./typeref";

export type ProblemCode =
  | "shape"
  | "invalid-name"
  | "unknown-source"
  | "unknown-operation"
  | "unknown-field"
  | "unknown-type"
  | "unknown-argument"
  | "unknown-input"
  | "unknown-variable"
  | "missing-input"
  | "type-mismatch"
  | "binding-cycle";

export interface DesignerProblem {
  code: ProblemCode;
  path: string;
  message: string;
}

/** A JSON path as the checker prints it: `.key` for GraphQL names, `["key"]` otherwise. */
export function jsonPath(segments: readonly string[]): string {
  let out = "$";
  for (const s of segments) out += isGraphqlName(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  return out;
}

/** The path of a type, a field, or something inside a field. */
export function fieldPath(type: string, field?: string, ...rest: string[]): string {
  const segs = ["schema", "types", type];
  if (field !== undefined) segs.push("fields", field, ...rest);
  return jsonPath(segs);
}

/** Splits a checker path back into its keys (`$.a["b-c"].d` -> `["a", "b-c", "d"]`). */
export function parsePath(path: string): string[] {
  const out: string[] = [];
  const re = /\.([_A-Za-z][_0-9A-Za-z]*)|\[("(?:[^"\\]|\\.)*")\]|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/** Where a problem shows in the designer: on a type node, a field row, or a binding edge. */
export type ProblemTarget =
  | { kind: "schema" }
  | { kind: "type"; type: string }
  | { kind: "field"; type: string; field: string }
  | { kind: "binding"; type: string; field: string; part: string[] }
  | { kind: "other" };

export function problemTarget(path: string): ProblemTarget {
  const s = parsePath(path);
  if (s[0] !== "schema") return { kind: "other" };
  const type = s[2];
  if (s[1] !== "types" || type === undefined) return { kind: "schema" };
  const field = s[4];
  if (s[3] !== "fields" || field === undefined) return { kind: "type", type };
  if (s[5] === "binding") return { kind: "binding", type, field, part: s.slice(6) };
  return { kind: "field", type, field };
}

/** Problems grouped by the node or edge they belong to (`Type`, `Type.field`, `Type.field->`). */
export function problemsByTarget(problems: readonly DesignerProblem[]): Map<string, DesignerProblem[]> {
  const out = new Map<string, DesignerProblem[]>();
  for (const p of problems) {
    const t = problemTarget(p.path);
    const id =
      t.kind === "type" ? t.type
      : t.kind === "field" ? `${t.type}.${t.field}`
      : t.kind === "binding" ? `${t.type}.${t.field}->`
      : t.kind;
    const list = out.get(id) ?? [];
    list.push(p);
    out.set(id, list);
  }
  return out;
}
