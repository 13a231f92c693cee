// Edits of the workspace's sources and their operations (the Services screen): rename, delete,
// change a source's address. What a change would break is the bindings that name the source or
// operation, and the targets of aggregated writes that do; a rename rewrites them in the same
// edit, a delete either is refused while they exist or, when the person chose so, unbinds
// those fields and drops those targets (the fields stay in the schema, and the designer and
// `knot check` then say they need a binding).
import type { AggregateTarget, Binding, FieldDef, HttpMethod, RestOperation, Source, WorkspaceDoc } from "./types";
import type { EditResult } from "./doc";
import { fail, getSource, hasOperation, mapFields, ok, renameKey, setKey } from "./doc";

/** The rule of `knot check` for source names (letters, digits, `_` and `-`). */
const SOURCE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * A field whose binding names the source (and the operation, when one is given), or one
 * target of a field's aggregated write that does (`target`: the target's label).
 */
export interface BindingRef {
  type: string;
  field: string;
  operation: string;
  target?: string;
}

/** Every binding and aggregated-write target that calls `source` (or only its `operation`). */
export function bindingsTo(doc: WorkspaceDoc, source: string, operation?: string): BindingRef[] {
  const out: BindingRef[] = [];
  const calls = (c: { source: string; operation: string }) => c.source === source && (operation === undefined || c.operation === operation);
  for (const [type, t] of Object.entries(doc.schema.types)) {
    for (const [field, f] of Object.entries(t.fields)) {
      const b = f.binding;
      if (b && calls(b)) out.push({ type, field, operation: b.operation });
      for (const [label, target] of Object.entries(f.aggregate?.targets ?? {})) {
        if (calls(target)) out.push({ type, field, operation: target.operation, target: label });
      }
    }
  }
  return out;
}

/** "`Query.a`, `Mutation.b` (target x)" for messages. */
export function listRefs(refs: readonly BindingRef[]): string {
  return refs.map(refText).join(", ");
}

export function refText(r: BindingRef): string {
  return r.target === undefined ? `\`${r.type}.${r.field}\`` : `\`${r.type}.${r.field}\` (target ${r.target})`;
}

function nameProblem(kind: "source" | "operation", name: string): string | null {
  if (name.trim() === "") return `The ${kind} needs a name`;
  if (!SOURCE_NAME.test(name)) return `${kind === "source" ? "A source" : "An operation"} name may use only letters, digits, \`_\` and \`-\``;
  return null;
}

function lostText(r: BindingRef): string {
  return r.target === undefined ? `\`${r.type}.${r.field}\` has no binding now` : `\`${r.type}.${r.field}\` no longer writes to ${r.target}`;
}

function withSources(doc: WorkspaceDoc, sources: Record<string, Source>): WorkspaceDoc {
  return { ...doc, sources };
}

type Call = { source: string; operation: string };

/**
 * Every field's binding and aggregated-write targets passed through `edit` (null removes it;
 * an aggregate left without targets is removed); fields that call nothing are untouched.
 */
function mapBindings(doc: WorkspaceDoc, edit: <C extends Call>(c: C) => C | null): WorkspaceDoc {
  return mapFields(doc, (_t, _f, f): FieldDef => {
    let next = f;
    if (f.binding) {
      const b = edit<Binding>(f.binding);
      if (b !== f.binding) next = setKey(next, "binding", b ?? undefined);
    }
    if (f.aggregate) {
      let changed = false;
      const targets: Record<string, AggregateTarget> = {};
      for (const [label, target] of Object.entries(f.aggregate.targets)) {
        const t = edit<AggregateTarget>(target);
        if (t !== target) changed = true;
        if (t) targets[label] = t;
      }
      if (changed) next = setKey(next, "aggregate", Object.keys(targets).length > 0 ? { ...f.aggregate, targets } : undefined);
    }
    return next;
  });
}

/** Renames a source (in place, order kept) and every binding that calls it. */
export function renameSource(doc: WorkspaceDoc, from: string, to: string): EditResult {
  const source = getSource(doc, from);
  if (!source) return fail(doc, `no source \`${from}\``);
  if (from === to) return ok(doc);
  const problem = nameProblem("source", to);
  if (problem) return fail(doc, problem);
  if (getSource(doc, to)) return fail(doc, `a source \`${to}\` already exists`);
  const renamed = withSources(doc, renameKey(doc.sources ?? {}, from, to, source));
  return ok(mapBindings(renamed, (b) => (b.source === from ? { ...b, source: to } : b)));
}

/**
 * Deletes a source. While bindings call it the delete is refused, unless `unbind` is set:
 * then those fields lose their binding in the same edit (and are listed in `warnings`).
 */
export function removeSource(doc: WorkspaceDoc, name: string, unbind = false): EditResult {
  if (!getSource(doc, name)) return fail(doc, `no source \`${name}\``);
  const refs = bindingsTo(doc, name);
  if (refs.length > 0 && !unbind) return fail(doc, `\`${name}\` is called by ${listRefs(refs)}; unbind them first`);
  const sources = { ...(doc.sources ?? {}) };
  delete sources[name];
  const next = mapBindings(withSources(doc, sources), (b) => (b.source === name ? null : b));
  return refs.length > 0 ? { doc: next, warnings: refs.map(lostText) } : ok(next);
}

/** Sets a source's address: a REST or GraphQL source's URL, a gRPC source's endpoint. */
export function setSourceAddress(doc: WorkspaceDoc, name: string, address: string): EditResult {
  const source = getSource(doc, name);
  if (!source) return fail(doc, `no source \`${name}\``);
  if (address.trim() === "") return fail(doc, "The address cannot be empty");
  const next: Source =
    source.kind === "rest"
      ? { ...source, baseUrl: address.trim() }
      : source.kind === "grpc"
        ? { ...source, endpoint: address.trim() }
        : { ...source, url: address.trim() };
  return ok(withSources(doc, { ...(doc.sources ?? {}), [name]: next }));
}

/** The source with its operations record replaced (the kinds share the shape). */
function withOperations(source: Source, ops: Record<string, unknown>): Source {
  return { ...source, operations: ops } as Source;
}

/** Renames an operation of a source and every binding that calls it. */
export function renameOperation(doc: WorkspaceDoc, sourceName: string, from: string, to: string): EditResult {
  const source = getSource(doc, sourceName);
  if (!source || !hasOperation(source, from)) return fail(doc, `no operation \`${sourceName}.${from}\``);
  if (from === to) return ok(doc);
  const problem = nameProblem("operation", to);
  if (problem) return fail(doc, problem);
  if (hasOperation(source, to)) return fail(doc, `\`${sourceName}\` already has an operation \`${to}\``);
  const ops = renameKey<unknown>((source.operations ?? {}) as Record<string, unknown>, from, to);
  const renamed = withSources(doc, { ...(doc.sources ?? {}), [sourceName]: withOperations(source, ops) });
  return ok(mapBindings(renamed, (b) => (b.source === sourceName && b.operation === from ? { ...b, operation: to } : b)));
}

/** Deletes an operation; refused while bindings call it, unless `unbind` (as `removeSource`). */
export function removeOperation(doc: WorkspaceDoc, sourceName: string, op: string, unbind = false): EditResult {
  const source = getSource(doc, sourceName);
  if (!source || !hasOperation(source, op)) return fail(doc, `no operation \`${sourceName}.${op}\``);
  const refs = bindingsTo(doc, sourceName, op);
  if (refs.length > 0 && !unbind) return fail(doc, `\`${sourceName}.${op}\` is called by ${listRefs(refs)}; unbind them first`);
  const ops = { ...((source.operations ?? {}) as Record<string, unknown>) };
  delete ops[op];
  const next = mapBindings(
    withSources(doc, { ...(doc.sources ?? {}), [sourceName]: withOperations(source, ops) }),
    (b) => (b.source === sourceName && b.operation === op ? null : b),
  );
  return refs.length > 0 ? { doc: next, warnings: refs.map(lostText) } : ok(next);
}

/**
 * Changes a REST operation's method and path. Every `{param}` of the path must be one of the
 * operation's inputs (the bindings fill them); the bindings that call it keep calling it.
 */
export function setRestRequest(doc: WorkspaceDoc, sourceName: string, op: string, method: HttpMethod, path: string): EditResult {
  const source = getSource(doc, sourceName);
  if (!source || !hasOperation(source, op)) return fail(doc, `no operation \`${sourceName}.${op}\``);
  if (source.kind !== "rest") return fail(doc, `\`${sourceName}\` is not a REST service: only a REST operation has a method and a path`);
  const p = path.trim();
  if (!p.startsWith("/")) return fail(doc, "The path starts with `/` (it is added to the service's base URL)");
  if (/\s/.test(p)) return fail(doc, "The path cannot contain spaces");
  const current = (source.operations ?? {})[op] as RestOperation;
  const inputs = Object.keys(current.inputs ?? {});
  for (const m of p.matchAll(/\{([^}]*)\}/g)) {
    if (!inputs.includes(m[1] ?? "")) {
      return fail(doc, `\`{${m[1]}}\` in the path is not an input of ${sourceName}.${op} (its inputs: ${inputs.length ? inputs.join(", ") : "none"})`);
    }
  }
  const next: RestOperation = { ...current, method, path: p };
  const ops = { ...(source.operations ?? {}), [op]: next };
  return ok(withSources(doc, { ...(doc.sources ?? {}), [sourceName]: { ...source, operations: ops } }));
}

