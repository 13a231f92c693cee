// Edits of the workspace's sources and their operations (the Services screen): rename, delete,
// change a source's address. What a change would break is the bindings that name the source or
// operation; a rename rewrites them in the same edit, a delete either is refused while they
// exist or, when the person chose so, unbinds those fields (the fields stay in the schema, and
// the designer and `knot check` then say they need a binding).
import type { Binding, FieldDef, Source, WorkspaceDoc } from "./types";
import type { EditResult } from "./doc";
import { fail, getSource, hasOperation, mapFields, ok, renameKey, setKey } from "./doc";

/** The rule of `knot check` for source names (letters, digits, `_` and `-`). */
const SOURCE_NAME = /^[A-Za-z0-9_-]+$/;

/** A field whose binding names the source (and the operation, when one is given). */
export interface BindingRef {
  type: string;
  field: string;
  operation: string;
}

/** Every binding that calls `source` (or only its `operation`), in schema order. */
export function bindingsTo(doc: WorkspaceDoc, source: string, operation?: string): BindingRef[] {
  const out: BindingRef[] = [];
  for (const [type, t] of Object.entries(doc.schema.types)) {
    for (const [field, f] of Object.entries(t.fields)) {
      const b = f.binding;
      if (b && b.source === source && (operation === undefined || b.operation === operation)) {
        out.push({ type, field, operation: b.operation });
      }
    }
  }
  return out;
}

/** "`Query.a`, `Mutation.b`" for messages. */
export function listRefs(refs: readonly BindingRef[]): string {
  return refs.map((r) => `\`${r.type}.${r.field}\``).join(", ");
}

function nameProblem(kind: "source" | "operation", name: string): string | null {
  if (name.trim() === "") return `The ${kind} needs a name`;
  if (!SOURCE_NAME.test(name)) return `${kind === "source" ? "A source" : "An operation"} name may use only letters, digits, \`_\` and \`-\``;
  return null;
}

function withSources(doc: WorkspaceDoc, sources: Record<string, Source>): WorkspaceDoc {
  return { ...doc, sources };
}

/** Every field's binding passed through `edit` (fields without a binding untouched). */
function mapBindings(doc: WorkspaceDoc, edit: (b: Binding) => Binding | null): WorkspaceDoc {
  return mapFields(doc, (_t, _f, f): FieldDef => {
    if (!f.binding) return f;
    const next = edit(f.binding);
    if (next === f.binding) return f;
    return setKey(f, "binding", next ?? undefined);
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
  return refs.length > 0 ? { doc: next, warnings: refs.map((r) => `\`${r.type}.${r.field}\` has no binding now`) } : ok(next);
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
  return refs.length > 0 ? { doc: next, warnings: refs.map((r) => `\`${r.type}.${r.field}\` has no binding now`) } : ok(next);
}
