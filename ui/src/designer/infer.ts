// An object type drawn from what an operation answers: one field per key of a sample response.
import type { FieldDef, JsonValue, WorkspaceDoc } from "./types";
import type { EditResult } from "./doc";
import { fail, getSource, hasOperation, ok, operationInputs, typeNameProblem, withType } from "./doc";
import { isGraphqlName, listItem, nullable, typeOrNull, printTypeRef } from "./typeref";

/** `id`, `*Id`, `*_id`, `*ID` (and their plurals for lists) hold identifiers. */
function isIdKey(key: string): boolean {
  return /^(id|ids)$/i.test(key) || /[a-z0-9](Id|ID|Ids|IDs)$/.test(key) || /_ids?$/i.test(key);
}

function scalarOf(value: JsonValue, idLike: boolean): string {
  if (typeof value === "string") return idLike ? "ID" : "String";
  if (typeof value === "number") return idLike && Number.isInteger(value) ? "ID" : Number.isInteger(value) ? "Int" : "Float";
  if (typeof value === "boolean") return "Boolean";
  return "JSON";
}

/** The GraphQL type for one sample value under `key`. */
export function inferType(key: string, value: JsonValue): string {
  const idLike = isIdKey(key);
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null);
    if (first === undefined || (typeof first === "object" && first !== null)) return "[JSON]";
    return `[${scalarOf(first, idLike)}]`;
  }
  if (key === "id" && (typeof value === "string" || typeof value === "number")) return "ID!";
  return scalarOf(value, idLike);
}

/** A valid field name for a JSON key (`first-name` -> `first_name`, `1st` -> `_1st`). */
function fieldNameFor(key: string): string {
  let name = key.replace(/[^_0-9A-Za-z]/g, "_");
  if (!/^[_A-Za-z]/.test(name)) name = `_${name}`;
  if (name.startsWith("__")) name = `f${name}`;
  return name;
}

/**
 * The fields for a sample object, in its key order. Keys that are not GraphQL names get a valid
 * name and a `from` pointing at the original key, so the data is still found.
 */
export function inferFields(sample: Record<string, JsonValue>): Record<string, FieldDef> {
  const out: Record<string, FieldDef> = {};
  for (const [key, value] of Object.entries(sample)) {
    let name = isGraphqlName(key) && !key.startsWith("__") ? key : fieldNameFor(key);
    while (out[name] !== undefined) name = `${name}_`;
    const def: FieldDef = { type: inferType(key, value) };
    if (name !== key) def.from = key;
    out[name] = def;
  }
  return out;
}

function isObject(v: JsonValue | undefined): v is Record<string, JsonValue> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Without a sample: the operation's single-valued inputs, which a response usually echoes. */
function fieldsFromInputs(inputs: Record<string, string>): Record<string, FieldDef> {
  const out: Record<string, FieldDef> = {};
  for (const [name, text] of Object.entries(inputs)) {
    const t = typeOrNull(text);
    if (t && !listItem(t) && isGraphqlName(name)) out[name] = { type: printTypeRef(nullable(t)) };
  }
  return out;
}

/**
 * Adds the object type `typeName` for what `source.operation` answers. With a sample response
 * (a JSON value, or JSON text), its fields come from the sample's keys (a list response: its
 * first object): strings -> String, integers -> Int, other numbers -> Float, booleans ->
 * Boolean, identifier keys (`id`, `*Id`) -> ID, lists of scalars -> [X], objects -> JSON.
 * Without a sample, from the operation's single-valued inputs.
 */
export function typeFromOperationOutput(
  doc: WorkspaceDoc,
  source: string,
  operation: string,
  typeName: string,
  sampleJson?: JsonValue,
): EditResult {
  const src = getSource(doc, source);
  if (!src) return fail(doc, `unknown source \`${source}\``);
  if (!hasOperation(src, operation)) return fail(doc, `source \`${source}\` has no operation \`${operation}\``);
  const problem = typeNameProblem(doc, typeName);
  if (problem) return fail(doc, problem);
  let sample: JsonValue | undefined = sampleJson;
  if (typeof sample === "string") {
    try {
      sample = JSON.parse(sample) as JsonValue;
    } catch (e) {
      return fail(doc, `the sample response of \`${source}.${operation}\` is not JSON: ${(e as Error).message}`);
    }
  }
  if (Array.isArray(sample)) sample = sample.find(isObject);
  let fields: Record<string, FieldDef>;
  if (sample === undefined) {
    fields = fieldsFromInputs(operationInputs(src, operation));
    if (Object.keys(fields).length === 0) {
      return fail(doc, `\`${source}.${operation}\` declares no inputs to start \`${typeName}\` from: give a sample response`);
    }
  } else if (isObject(sample)) {
    fields = inferFields(sample);
    if (Object.keys(fields).length === 0) return fail(doc, `the sample response of \`${source}.${operation}\` has no fields`);
  } else {
    return fail(doc, `the sample response of \`${source}.${operation}\` is not an object, so \`${typeName}\` cannot have fields`);
  }
  return ok(withType(doc, typeName, { description: `What ${source}.${operation} answers.`, fields }));
}
