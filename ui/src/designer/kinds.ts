// Schema kinds beyond object types, edited in the designer: enums (values, with the
// downstream spelling kept as `from` when it is not a GraphQL name), unions of object types
// (with an optional discriminator) and input objects (fields written as `name: Type`).
import type { WorkspaceDoc } from "./types";
import type { EditResult } from "./doc";
import { fail, getType, hasOwn, ok, typeNameProblem } from "./doc";
import { isBuiltinScalar, isGraphqlName, namedOf, parseTypeRef } from "./typeref";

function withSchema(doc: WorkspaceDoc, patch: Partial<WorkspaceDoc["schema"]>): WorkspaceDoc {
  return { ...doc, schema: { ...doc.schema, ...patch } };
}

/** `in-transit` -> `IN_TRANSIT`. */
export function enumValueName(spelling: string): string {
  let name = spelling.trim().replace(/[^0-9A-Za-z_]/g, "_").toUpperCase();
  if (!/^[_A-Z]/.test(name)) name = `_${name}`;
  return name;
}

/**
 * Adds an enum from a comma-separated list of values as the services spell them
 * (`placed, in-transit`): each becomes a GraphQL value (`PLACED`, `IN_TRANSIT`) that keeps
 * its downstream spelling as `from` when the two differ.
 */
export function addEnum(doc: WorkspaceDoc, name: string, spellings: string): EditResult {
  const problem = typeNameProblem(doc, name);
  if (problem) return fail(doc, problem);
  const values: Record<string, { from?: string }> = {};
  for (const raw of spellings.split(",").map((v) => v.trim()).filter((v) => v !== "")) {
    const value = enumValueName(raw);
    if (hasOwn(values, value)) return fail(doc, `enum \`${name}\`: \`${raw}\` and another value both become \`${value}\``);
    values[value] = value === raw ? {} : { from: raw };
  }
  if (Object.keys(values).length === 0) return fail(doc, `enum \`${name}\` needs at least one value`);
  return ok(withSchema(doc, { enums: { ...(doc.schema.enums ?? {}), [name]: { values } } }));
}

/**
 * Adds a union of object types written `User | Product`; with `discriminator` (a field of
 * the downstream objects, e.g. `kind`) each member is told by the field's value, by default
 * the member's name in lower case.
 */
export function addUnion(doc: WorkspaceDoc, name: string, members: string, discriminator: string): EditResult {
  const problem = typeNameProblem(doc, name);
  if (problem) return fail(doc, problem);
  const types = members.split("|").map((m) => m.trim()).filter((m) => m !== "");
  if (types.length === 0) return fail(doc, `union \`${name}\` needs at least one member type`);
  for (const t of types) {
    if (!getType(doc, t)) return fail(doc, `union \`${name}\`: \`${t}\` is not an object type`);
  }
  const field = discriminator.trim();
  const union = field
    ? { types, discriminator: { field, values: Object.fromEntries(types.map((t) => [t, t.toLowerCase()])) } }
    : { types };
  return ok(withSchema(doc, { unions: { ...(doc.schema.unions ?? {}), [name]: union } }));
}

/** Adds an input object from fields written `userId: ID!, productIds: [ID!]!`. */
export function addInput(doc: WorkspaceDoc, name: string, fieldsText: string): EditResult {
  const problem = typeNameProblem(doc, name);
  if (problem) return fail(doc, problem);
  const fields: Record<string, { type: string }> = {};
  for (const part of fieldsText.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const [fname = "", ftype = ""] = part.split(":").map((x) => x.trim());
    if (!isGraphqlName(fname)) return fail(doc, `input \`${name}\`: \`${fname}\` is not a valid field name`);
    const parsed = parseTypeRef(ftype);
    if (!parsed.ok) return fail(doc, `input \`${name}.${fname}\`: ${parsed.error}`);
    const named = namedOf(parsed.type);
    const s = doc.schema;
    const known = isBuiltinScalar(named) || hasOwn(s.enums ?? {}, named) || hasOwn(s.inputs ?? {}, named) || hasOwn(s.scalars ?? {}, named) || named === name;
    if (!known) return fail(doc, `input \`${name}.${fname}\`: \`${named}\` is not a scalar, enum or input type`);
    fields[fname] = { type: ftype };
  }
  if (Object.keys(fields).length === 0) return fail(doc, `input \`${name}\` needs at least one field (\`name: Type\`)`);
  return ok(withSchema(doc, { inputs: { ...(doc.schema.inputs ?? {}), [name]: { fields } } }));
}

/** Removes an enum, union or input object no field or argument names any more. */
export function removeKind(doc: WorkspaceDoc, name: string): EditResult {
  const s = doc.schema;
  const uses: string[] = [];
  const names = (ty: string) => {
    const p = parseTypeRef(ty);
    return p.ok && namedOf(p.type) === name;
  };
  for (const [tn, t] of Object.entries(s.types)) {
    for (const [fn, f] of Object.entries(t.fields)) {
      if (names(f.type)) uses.push(`${tn}.${fn}`);
      for (const [an, a] of Object.entries(f.arguments ?? {})) if (names(a.type)) uses.push(`${tn}.${fn}(${an})`);
    }
  }
  for (const [inn, i] of Object.entries(s.inputs ?? {})) {
    if (inn === name) continue;
    for (const [fn, f] of Object.entries(i.fields)) if (names(f.type)) uses.push(`${inn}.${fn}`);
  }
  if (uses.length > 0) return fail(doc, `\`${name}\` is still used by ${uses.map((u) => `\`${u}\``).join(", ")}`);
  const drop = <T,>(rec: Record<string, T> | undefined): Record<string, T> | undefined => {
    if (!rec || !hasOwn(rec, name)) return rec;
    const next = { ...rec };
    delete next[name];
    return next;
  };
  const next = { enums: drop(s.enums), unions: drop(s.unions), inputs: drop(s.inputs) };
  if (next.enums === s.enums && next.unions === s.unions && next.inputs === s.inputs) {
    return fail(doc, `no enum, union or input type \`${name}\``);
  }
  return ok(withSchema(doc, next));
}
