// The checks of `knot check` (crates/knot-model/src/validate.rs) that schema-designer edits can
// break, with the same codes, paths and messages: names, types, field types, bindings (sources,
// operations, keys, batches, inputs) and binding cycles. Sources, templates, environments and
// saved operations are the Rust checker's alone (their problems arrive with the workspace).
import type { FieldDef, ObjectType, WorkspaceDoc } from "./types";
import { MUTATION_TYPE, QUERY_TYPE } from "./types";
import type { DesignerProblem, ProblemCode } from "./problems";
import { fieldPath } from "./problems";
import { listNames } from "./doc";
import { isBuiltinScalar, isGraphqlName, namedOf, parseTypeRef } from "./typeref";
import { checkBinding } from "./validateBinding";

export type { DesignerProblem, ProblemCode, ProblemTarget } from "./problems";
export { jsonPath, parsePath, problemTarget, problemsByTarget } from "./problems";

/** Collects problems; shared with the binding checks. */
export class Problems {
  readonly list: DesignerProblem[] = [];
  push(code: ProblemCode, path: string, message: string): void {
    this.list.push({ code, path, message });
  }
}

/** Whether the workspace has Federation subgraph sources. */
export function hasSubgraphs(doc: WorkspaceDoc): boolean {
  return Object.values(doc.sources ?? {}).some((s) => s.kind === "graphql" && s.subgraph !== undefined);
}

/** Every problem of the unified schema the designer edits, in the checker's order. */
export function validate(doc: WorkspaceDoc): DesignerProblem[] {
  const out = new Problems();
  const types = doc.schema.types;
  // With Federation subgraphs the root fields come from the composed supergraph (as in
  // the model's own check).
  if (!Object.prototype.hasOwnProperty.call(types, QUERY_TYPE) && !hasSubgraphs(doc)) {
    out.push("unknown-type", "$.schema.types", "the unified schema needs a `Query` type");
  }
  for (const [typeName, obj] of Object.entries(types)) {
    const tp = fieldPath(typeName);
    if (!isGraphqlName(typeName) || typeName.startsWith("__")) {
      out.push("invalid-name", tp, `\`${typeName}\` is not a valid type name`);
    } else if (isBuiltinScalar(typeName)) {
      out.push("invalid-name", tp, `\`${typeName}\` is a built-in scalar and cannot be redefined`);
    }
    if (!Object.values(obj.fields).some((f) => f.private !== true)) {
      out.push("shape", `${tp}.fields`, `type \`${typeName}\` needs at least one public field`);
    }
    for (const [fieldName, field] of Object.entries(obj.fields)) {
      checkField(doc, out, typeName, fieldName, field);
    }
    checkCycles(out, typeName, obj);
  }
  return out.list;
}

function checkField(doc: WorkspaceDoc, out: Problems, typeName: string, fieldName: string, field: FieldDef): void {
  const path = fieldPath(typeName, fieldName);
  if (!isGraphqlName(fieldName) || fieldName.startsWith("__")) {
    out.push("invalid-name", path, `\`${fieldName}\` is not a valid field name`);
  }
  const parsed = parseTypeRef(field.type);
  if (!parsed.ok) {
    out.push("type-mismatch", `${path}.type`, parsed.error);
    return;
  }
  const named = namedOf(parsed.type);
  const types = doc.schema.types;
  const enums = doc.schema.enums ?? {};
  const interfaces = doc.schema.interfaces ?? {};
  const unions = doc.schema.unions ?? {};
  const scalars = doc.schema.scalars ?? {};
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const outputs = [types, interfaces, unions, enums, scalars];
  if (!isBuiltinScalar(named) && !outputs.some((o) => has(o, named))) {
    out.push(
      "unknown-type",
      `${path}.type`,
      `unknown type \`${named}\` (declared types: ${listNames(outputs.flatMap((o) => Object.keys(o)))})`,
    );
  }
  for (const [argName, arg] of Object.entries(field.arguments ?? {})) {
    const ap = fieldPath(typeName, fieldName, "arguments", argName);
    if (!isGraphqlName(argName)) out.push("invalid-name", ap, `\`${argName}\` is not a valid argument name`);
    const at = parseTypeRef(arg.type);
    if (!at.ok) out.push("type-mismatch", `${ap}.type`, at.error);
    else if (
      !isBuiltinScalar(namedOf(at.type)) &&
      !has(enums, namedOf(at.type)) &&
      !has(doc.schema.inputs ?? {}, namedOf(at.type)) &&
      !has(scalars, namedOf(at.type))
    ) {
      out.push("unknown-type", `${ap}.type`, `argument type \`${namedOf(at.type)}\` must be built from scalars, enums and input types`);
    }
  }
  if (field.aggregate) {
    if (typeName !== MUTATION_TYPE) {
      out.push("shape", `${path}.aggregate`, `\`${typeName}.${fieldName}\`: an aggregated write is a field of \`Mutation\``);
    }
    for (const [label, t] of Object.entries(field.aggregate.targets)) {
      const binding = { source: t.source, operation: t.operation, ...(t.args ? { args: t.args } : {}) };
      checkBinding(doc, out, typeName, fieldName, field, parsed.type, binding, ["aggregate", "targets", label]);
    }
    return;
  }
  if (!field.binding) {
    if (typeName === QUERY_TYPE || typeName === MUTATION_TYPE) {
      out.push("shape", path, `\`${typeName}.${fieldName}\` has no parent data: bind it to an operation`);
    }
    return;
  }
  if (field.from !== undefined && field.from !== null) {
    out.push("shape", `${path}.from`, "a bound field takes its value from its binding; remove `from`");
  }
  checkBinding(doc, out, typeName, fieldName, field, parsed.type, field.binding);
}

/** The bound siblings a bound field reads (its key and `parent` arguments). */
function boundDeps(obj: ObjectType, f: FieldDef | undefined): string[] {
  const b = f?.binding;
  if (!b) return [];
  const out: string[] = [];
  if (b.key) out.push(b.key.parent);
  for (const v of Object.values(b.args ?? {})) if ("parent" in v) out.push(v.parent);
  return out.filter((d) => Object.prototype.hasOwnProperty.call(obj.fields, d) && obj.fields[d]?.binding);
}

/**
 * Bound fields whose key or arguments read a bound sibling must not form a cycle; each cycle is
 * reported once, at the binding that closes it, named `Order.a -> Order.b -> Order.a`.
 */
function checkCycles(out: Problems, typeName: string, obj: ObjectType): void {
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  const reported = new Set<string>();
  for (const start of Object.keys(obj.fields)) {
    if (state.has(start)) continue;
    const stack: { node: string; deps: string[]; i: number }[] = [
      { node: start, deps: boundDeps(obj, obj.fields[start]), i: 0 },
    ];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (!top) break;
      if (top.i >= top.deps.length) {
        stack.pop();
        state.set(top.node, 2);
        continue;
      }
      const next = top.deps[top.i] ?? "";
      top.i += 1;
      const s = state.get(next);
      if (s === 1) {
        const pos = Math.max(0, stack.findIndex((e) => e.node === next));
        const cycle = stack.slice(pos).map((e) => e.node);
        const canon = [...cycle].sort().join("\u0000");
        if (!reported.has(canon)) {
          reported.add(canon);
          const named = [...cycle, next].map((n) => `${typeName}.${n}`);
          out.push("binding-cycle", fieldPath(typeName, next, "binding"), `binding cycle: ${named.join(" -> ")}`);
        }
      } else if (s === undefined) {
        state.set(next, 1);
        stack.push({ node: next, deps: boundDeps(obj, obj.fields[next]), i: 0 });
      }
    }
  }
}
