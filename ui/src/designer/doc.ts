// Small immutable helpers over the workspace document: look-ups, copy-on-write updates that
// keep key order (collections on disk are ordered maps), and the shared result type of edits.
import type { FieldDef, ObjectType, Source, WorkspaceDoc, Inputs } from "./types";
import { isBuiltinScalar, isGraphqlName } from "./typeref";

/**
 * The outcome of every designer edit: the new document, or the unchanged input (the very same
 * object) with `error` saying why nothing changed. Renames also list the saved operations whose
 * GraphQL text mentions what was renamed (their text is never rewritten).
 */
export interface EditResult {
  doc: WorkspaceDoc;
  error?: string;
  affectedOperations?: string[];
  /** Things the edit could not keep as they were, for the user to look at. */
  warnings?: string[];
}

export function ok(doc: WorkspaceDoc, affectedOperations?: string[]): EditResult {
  return affectedOperations ? { doc, affectedOperations } : { doc };
}

export function fail(doc: WorkspaceDoc, error: string): EditResult {
  return { doc, error };
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** The value at `key` of a record, own keys only (so `constructor` is not a type). */
export function own<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
  return rec && hasOwn(rec, key) ? rec[key] : undefined;
}

export function getType(doc: WorkspaceDoc, name: string): ObjectType | undefined {
  return own(doc.schema.types, name);
}

export function getField(doc: WorkspaceDoc, type: string, field: string): FieldDef | undefined {
  return own(getType(doc, type)?.fields, field);
}

export function getSource(doc: WorkspaceDoc, name: string): Source | undefined {
  return own(doc.sources, name);
}

/** Whether the source declares the operation. */
export function hasOperation(source: Source, op: string): boolean {
  return own<unknown>(source.operations, op) !== undefined;
}

/** The declared inputs of an operation (empty when it declares none). */
export function operationInputs(source: Source, op: string): Inputs {
  switch (source.kind) {
    case "rest":
      return own(source.operations, op)?.inputs ?? {};
    case "grpc":
      return own(source.operations, op)?.inputs ?? {};
    case "graphql":
      return own(source.operations, op)?.inputs ?? {};
  }
}

/** `a` with `key` set to `value` (in place when present, else appended), or removed when undefined. */
export function setKey<T extends object, K extends keyof T>(a: T, key: K, value: T[K] | undefined): T {
  if (value === undefined) {
    if (!hasOwn(a, key as string)) return a;
    const copy = { ...a };
    delete copy[key];
    return copy;
  }
  return { ...a, [key]: value };
}

/** A record with one key renamed in place (order kept) and optionally a new value. */
export function renameKey<T>(rec: Record<string, T>, from: string, to: string, value?: T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (k === from) out[to] = value ?? v;
    else out[k] = v;
  }
  return out;
}

export function withTypes(doc: WorkspaceDoc, types: Record<string, ObjectType>): WorkspaceDoc {
  return { ...doc, schema: { ...doc.schema, types } };
}

/** The document with one type replaced. */
export function withType(doc: WorkspaceDoc, name: string, type: ObjectType): WorkspaceDoc {
  return withTypes(doc, { ...doc.schema.types, [name]: type });
}

/** The document with one field of one type replaced. */
export function withField(doc: WorkspaceDoc, type: string, field: string, def: FieldDef): WorkspaceDoc {
  const t = getType(doc, type);
  if (!t) return doc;
  return withType(doc, type, { ...t, fields: { ...t.fields, [field]: def } });
}

/**
 * Every field passed through `fn`; types and the document are copied only where a field
 * changed (compared by identity), so an edit that touches nothing returns `doc` itself.
 */
export function mapFields(
  doc: WorkspaceDoc,
  fn: (typeName: string, fieldName: string, field: FieldDef) => FieldDef,
): WorkspaceDoc {
  let changed = false;
  const types: Record<string, ObjectType> = {};
  for (const [tn, t] of Object.entries(doc.schema.types)) {
    let typeChanged = false;
    const fields: Record<string, FieldDef> = {};
    for (const [fn_, f] of Object.entries(t.fields)) {
      const nf = fn(tn, fn_, f);
      if (nf !== f) typeChanged = true;
      fields[fn_] = nf;
    }
    types[tn] = typeChanged ? { ...t, fields } : t;
    changed ||= typeChanged;
  }
  return changed ? withTypes(doc, types) : doc;
}

/** Why `name` cannot name a new type, or null when it can. */
export function typeNameProblem(doc: WorkspaceDoc, name: string): string | null {
  if (!isGraphqlName(name) || name.startsWith("__")) return `\`${name}\` is not a valid type name`;
  if (isBuiltinScalar(name)) return `\`${name}\` is a built-in scalar and cannot be redefined`;
  if (getType(doc, name)) return `type \`${name}\` already exists`;
  const s = doc.schema;
  for (const [kind, rec] of [
    ["enum", s.enums],
    ["input type", s.inputs],
    ["interface", s.interfaces],
    ["union", s.unions],
    ["scalar", s.scalars],
  ] as const) {
    if (rec && hasOwn(rec, name)) return `\`${name}\` is already the name of a ${kind}`;
  }
  return null;
}

/** Why `name` cannot name a new field of `type`, or null when it can. */
export function fieldNameProblem(doc: WorkspaceDoc, type: string, name: string): string | null {
  if (!isGraphqlName(name) || name.startsWith("__")) return `\`${name}\` is not a valid field name`;
  if (getField(doc, type, name)) return `\`${type}\` already has a field \`${name}\``;
  return null;
}

/** `` `a`, `b` `` or `none`, as the checker lists names. */
export function listNames(names: Iterable<string>): string {
  const v = [...names].map((n) => `\`${n}\``);
  return v.length === 0 ? "none" : v.join(", ");
}
