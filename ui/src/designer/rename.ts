// Renames that keep the document whole: every reference to the old name is rewritten in the
// same edit, and saved operations that use it are reported (their text is left alone).
import type { ArgValue, Binding, FieldDef, ObjectType, WorkspaceDoc } from "./types";
import { QUERY_TYPE } from "./types";
import type { EditResult } from "./doc";
import { fail, fieldNameProblem, getField, getType, mapFields, ok, renameKey, setKey, typeNameProblem, withType, withTypes } from "./doc";
import { namedTypeOf, renameNamedType } from "./typeref";
import { affectedOperations } from "./affected";

/**
 * Renames a type: its entry (in place, order kept) and every field type naming it, wrappers
 * kept (`[Product!]!` -> `[Item!]!`). `Query` is the root and keeps its name.
 */
export function renameType(doc: WorkspaceDoc, from: string, to: string): EditResult {
  const t = getType(doc, from);
  if (!t) return fail(doc, `no type \`${from}\``);
  if (from === to) return ok(doc, []);
  if (from === QUERY_TYPE) return fail(doc, "`Query` is the root of the schema and keeps its name");
  if (to === QUERY_TYPE) return fail(doc, "`Query` is the name of the root type");
  const problem = typeNameProblem(doc, to);
  if (problem) return fail(doc, problem);
  const affected = affectedOperations(doc, { type: from });
  const renamed = withTypes(doc, renameKey(doc.schema.types, from, to, t));
  const next = mapFields(renamed, (_tn, _fn, f) => {
    const ty = renameNamedType(f.type, from, to);
    return ty === f.type ? f : { ...f, type: ty };
  });
  return ok(next, affected);
}

function renameParent(v: ArgValue, from: string, to: string): ArgValue {
  return "parent" in v && v.parent === from ? { ...v, parent: to } : v;
}

/** A sibling binding with its key and `parent` arguments moved from `from` to `to`. */
function renameInSiblingBinding(b: Binding, from: string, to: string): Binding {
  let next = b;
  if (b.key && b.key.parent === from) next = { ...next, key: { ...b.key, parent: to } };
  if (b.args) {
    let changed = false;
    const args: Record<string, ArgValue> = {};
    for (const [k, v] of Object.entries(b.args)) {
      const nv = renameParent(v, from, to);
      changed ||= nv !== v;
      args[k] = nv;
    }
    if (changed) next = { ...next, args };
  }
  return next;
}

/** A binding returning `type` with its batch `match.field` path moved from `from` to `to`. */
function renameInMatch(b: Binding, from: string, to: string): Binding {
  const m = b.batch?.match;
  if (!b.batch || !m || m === "order") return b;
  const segs = m.field.split(".");
  if (segs[0] !== from) return b;
  segs[0] = to;
  return { ...b, batch: { ...b.batch, match: { ...m, field: segs.join(".") } } };
}

/**
 * Renames a field of `type` and rewrites what refers to it: sibling bindings' `key.parent` and
 * `args.*.parent`, and the batch `match.field` of bindings (on any type) whose results are
 * `type`. A plain field keeps reading the same data: without a `from`, it gets `from: <old
 * name>` (and a `from` equal to the new name is dropped), so the rename changes the public
 * name only.
 *
 * A batch's `match.field` names a field of the result type; the planner follows that field's
 * `from` to the raw data, so a renamed match field keeps matching what the service sends.
 */
export function renameField(doc: WorkspaceDoc, type: string, from: string, to: string): EditResult {
  const t = getType(doc, type);
  const f = getField(doc, type, from);
  if (!t || !f) return fail(doc, `no field \`${type}.${from}\``);
  if (from === to) return ok(doc, []);
  const problem = fieldNameProblem(doc, type, to);
  if (problem) return fail(doc, problem);
  const affected = affectedOperations(doc, { type, field: from });

  let moved: FieldDef = f;
  if (!f.binding) {
    const data = f.from ?? from;
    moved = data === to ? setKey(f, "from", undefined) : f.from ? f : { ...f, from: data };
  }
  const withRenamed: ObjectType = { ...t, fields: renameKey(t.fields, from, to, moved) };
  const renamed = withType(doc, type, withRenamed);
  const next = mapFields(renamed, (tn, _fn, field) => {
    const b = field.binding;
    if (!b) return field;
    let nb = tn === type ? renameInSiblingBinding(b, from, to) : b;
    if (namedTypeOf(field.type) === type) {
      nb = renameInMatch(nb, from, to);
    }
    return nb === b ? field : { ...field, binding: nb };
  });
  return ok(next, affected);
}
