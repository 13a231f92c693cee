// Schema-designer edits over the workspace document. Every function is pure: it returns an
// `EditResult` with a new document, or the unchanged input and an `error` naming the type or
// field at fault. The input is never mutated; keys an edit does not touch (known or not) stay
// as they were, in their order. Renames live in rename.ts and types from samples in infer.ts.
import type { ArgValue, BatchOptions, Binding, FieldDef, KeyBinding, WorkspaceDoc } from "./types";
import { QUERY_TYPE } from "./types";
import type { EditResult } from "./doc";
import {
  fail,
  fieldNameProblem,
  getField,
  getSource,
  getType,
  hasOperation,
  listNames,
  ok,
  operationInputs,
  setKey,
  typeNameProblem,
  withField,
  withType,
  withTypes,
} from "./doc";
import { isBuiltinScalar, isGraphqlName, namedTypeOf, parseTypeRef, namedOf } from "./typeref";

export type { EditResult } from "./doc";
export { renameField, renameType } from "./rename";
export { typeFromOperationOutput, inferFields } from "./infer";

/** Adds an empty object type. */
export function addType(doc: WorkspaceDoc, name: string): EditResult {
  const problem = typeNameProblem(doc, name);
  if (problem) return fail(doc, problem);
  return ok(withType(doc, name, { fields: {} }));
}

/** The fields (`Type.field`) of other types whose type names `type`. */
export function typeReferences(doc: WorkspaceDoc, type: string): string[] {
  const out: string[] = [];
  for (const [tn, t] of Object.entries(doc.schema.types)) {
    if (tn === type) continue;
    for (const [fname, f] of Object.entries(t.fields)) {
      if (namedTypeOf(f.type) === type) out.push(`${tn}.${fname}`);
    }
  }
  return out;
}

/** Removes a type; refused for `Query` and while another type's field uses it. */
export function removeType(doc: WorkspaceDoc, name: string): EditResult {
  if (!getType(doc, name)) return fail(doc, `no type \`${name}\``);
  if (name === QUERY_TYPE) return fail(doc, "`Query` is the root of the schema and cannot be removed");
  const refs = typeReferences(doc, name);
  if (refs.length > 0) {
    return fail(doc, `type \`${name}\` is still used by ${listNames(refs)}; change or remove those fields first`);
  }
  const types = { ...doc.schema.types };
  delete types[name];
  return ok(withTypes(doc, types));
}

/** Adds a field of type `typeRef` (e.g. `[Product!]!`); its named type must exist. */
export function addField(doc: WorkspaceDoc, type: string, name: string, typeRef: string): EditResult {
  const t = getType(doc, type);
  if (!t) return fail(doc, `no type \`${type}\``);
  const problem = fieldNameProblem(doc, type, name);
  if (problem) return fail(doc, problem);
  const parsed = parseTypeRef(typeRef);
  if (!parsed.ok) return fail(doc, `\`${type}.${name}\`: ${parsed.error}`);
  const named = namedOf(parsed.type);
  const s = doc.schema;
  const has = (rec: object | undefined) => rec !== undefined && Object.prototype.hasOwnProperty.call(rec, named);
  if (!isBuiltinScalar(named) && !getType(doc, named) && ![s.enums, s.unions, s.interfaces, s.scalars].some(has)) {
    return fail(doc, `\`${type}.${name}\`: unknown type \`${named}\``);
  }
  return ok(withField(doc, type, name, { type: typeRef.trim() }));
}

/**
 * Adds an argument to a field (`typeRef` built from scalars, e.g. `ID!` or `[String!]`), so a
 * binding can send it to an operation input (`{ "argument": name }`).
 */
export function addArgument(doc: WorkspaceDoc, type: string, field: string, name: string, typeRef: string): EditResult {
  const f = getField(doc, type, field);
  if (!f) return fail(doc, `no field \`${type}.${field}\``);
  const at = `\`${type}.${field}\``;
  if (!isGraphqlName(name) || name.startsWith("__")) return fail(doc, `${at}: \`${name}\` is not a valid argument name`);
  if (f.arguments && Object.prototype.hasOwnProperty.call(f.arguments, name)) {
    return fail(doc, `${at} already has an argument \`${name}\``);
  }
  const parsed = parseTypeRef(typeRef);
  if (!parsed.ok) return fail(doc, `${at}(${name}): ${parsed.error}`);
  const named = namedOf(parsed.type);
  const isEnum = Object.prototype.hasOwnProperty.call(doc.schema.enums ?? {}, named);
  const isInput = Object.prototype.hasOwnProperty.call(doc.schema.inputs ?? {}, named);
  const isScalar = Object.prototype.hasOwnProperty.call(doc.schema.scalars ?? {}, named);
  if (!isBuiltinScalar(named) && !isEnum && !isInput && !isScalar) {
    return fail(doc, `${at}(${name}): argument type \`${named}\` must be built from scalars, enums and input types`);
  }
  const args = { ...(f.arguments ?? {}), [name]: { type: typeRef.trim() } };
  return ok(withField(doc, type, field, { ...f, arguments: args }));
}

/** The bindings that send the field argument `type.field(name)` to an operation input. */
export function argumentReferences(doc: WorkspaceDoc, type: string, field: string, name: string): string[] {
  const b = getField(doc, type, field)?.binding;
  return Object.entries(b?.args ?? {})
    .filter(([, v]) => "argument" in v && v.argument === name)
    .map(([input]) => `input \`${input}\` of ${b!.source}.${b!.operation}`);
}

/** Removes a field argument; refused while the field's binding sends it. */
export function removeArgument(doc: WorkspaceDoc, type: string, field: string, name: string): EditResult {
  const f = getField(doc, type, field);
  if (!f || !f.arguments || !Object.prototype.hasOwnProperty.call(f.arguments, name)) {
    return fail(doc, `\`${type}.${field}\` has no argument \`${name}\``);
  }
  const refs = argumentReferences(doc, type, field, name);
  if (refs.length > 0) return fail(doc, `\`${type}.${field}(${name})\` is still sent to ${refs.join(", ")}; change the binding first`);
  const args = { ...f.arguments };
  delete args[name];
  return ok(withField(doc, type, field, setKey({ ...f, arguments: args }, "arguments", Object.keys(args).length > 0 ? args : undefined)));
}

/**
 * What reads the field `type.field`: sibling bindings taking it as key or argument, and batch
 * bindings (anywhere) matching results of `type` by it.
 */
export function fieldReferences(doc: WorkspaceDoc, type: string, field: string): string[] {
  const out: string[] = [];
  for (const [tn, t] of Object.entries(doc.schema.types)) {
    for (const [fname, f] of Object.entries(t.fields)) {
      const b = f.binding;
      if (!b) continue;
      const at = `${tn}.${fname}`;
      if (tn === type && fname !== field) {
        if (b.key?.parent === field) out.push(`${at} (key)`);
        for (const [input, v] of Object.entries(b.args ?? {})) {
          if ("parent" in v && v.parent === field) out.push(`${at} (input ${input})`);
        }
      }
      const m = b.batch?.match;
      if (m && m !== "order" && namedTypeOf(f.type) === type && m.field.split(".")[0] === field) {
        out.push(`${at} (batch match)`);
      }
    }
  }
  return out;
}

/** Removes a field; refused while a binding reads it. */
export function removeField(doc: WorkspaceDoc, type: string, field: string): EditResult {
  const t = getType(doc, type);
  if (!t || !getField(doc, type, field)) return fail(doc, `no field \`${type}.${field}\``);
  const refs = fieldReferences(doc, type, field);
  if (refs.length > 0) {
    return fail(doc, `\`${type}.${field}\` is still read by ${refs.join(", ")}; change those bindings first`);
  }
  const fields = { ...t.fields };
  delete fields[field];
  return ok(withType(doc, type, { ...t, fields }));
}

/** Marks a field private (kept out of the public schema) or public (the key is then dropped). */
export function setPrivate(doc: WorkspaceDoc, type: string, field: string, value: boolean): EditResult {
  const f = getField(doc, type, field);
  if (!f) return fail(doc, `no field \`${type}.${field}\``);
  if ((f.private === true) === value) return ok(doc);
  return ok(withField(doc, type, field, setKey(f, "private", value ? true : undefined)));
}

/** What `bind` takes: the binding's parts, absent ones left out of the file. */
export interface BindSpec {
  source: string;
  operation: string;
  key?: KeyBinding | null;
  batch?: BatchOptions | null;
  args?: Record<string, ArgValue> | null;
  result?: string | null;
}

function updateBound(
  doc: WorkspaceDoc,
  type: string,
  field: string,
  fn: (b: Binding, f: FieldDef) => Binding | string,
): EditResult {
  const f = getField(doc, type, field);
  if (!f) return fail(doc, `no field \`${type}.${field}\``);
  if (!f.binding) return fail(doc, `\`${type}.${field}\` is not bound to an operation`);
  const b = fn(f.binding, f);
  if (typeof b === "string") return fail(doc, b);
  return ok(withField(doc, type, field, { ...f, binding: b }));
}

/**
 * Binds a field to an operation (replacing any binding). The source and operation must exist;
 * everything else is left to `validate`, which shows it on the edge. A bound field takes its
 * value from the binding, so its `from` goes.
 */
export function bind(doc: WorkspaceDoc, type: string, field: string, spec: BindSpec): EditResult {
  const f = getField(doc, type, field);
  if (!f) return fail(doc, `no field \`${type}.${field}\``);
  const source = getSource(doc, spec.source);
  if (!source) {
    return fail(doc, `\`${type}.${field}\`: unknown source \`${spec.source}\` (sources: ${listNames(Object.keys(doc.sources ?? {}))})`);
  }
  if (!hasOperation(source, spec.operation)) {
    return fail(doc, `\`${type}.${field}\`: source \`${spec.source}\` has no operation \`${spec.operation}\``);
  }
  const binding: Binding = { source: spec.source, operation: spec.operation };
  if (spec.key) binding.key = { parent: spec.key.parent, input: spec.key.input };
  if (spec.batch) binding.batch = spec.batch;
  if (spec.args && Object.keys(spec.args).length > 0) binding.args = { ...spec.args };
  if (spec.result !== undefined && spec.result !== null && spec.result !== "") binding.result = spec.result;
  const next = setKey({ ...f, binding }, "from", undefined);
  return ok(withField(doc, type, field, next));
}

/** Removes a field's binding; it becomes a plain property of its parent's data. */
export function unbind(doc: WorkspaceDoc, type: string, field: string): EditResult {
  const f = getField(doc, type, field);
  if (!f) return fail(doc, `no field \`${type}.${field}\``);
  if (f.binding === undefined) return fail(doc, `\`${type}.${field}\` is not bound to an operation`);
  return ok(withField(doc, type, field, setKey(f, "binding", undefined)));
}

/** Sets where one operation input of a bound field comes from; null removes it. */
export function setArgBinding(
  doc: WorkspaceDoc,
  type: string,
  field: string,
  input: string,
  value: ArgValue | null,
): EditResult {
  return updateBound(doc, type, field, (b) => {
    const args = { ...(b.args ?? {}) };
    if (value === null) {
      if (!(input in args)) return `\`${type}.${field}\` sends nothing to input \`${input}\``;
      delete args[input];
    } else {
      args[input] = value;
    }
    return setKey(b, "args", Object.keys(args).length > 0 ? args : undefined);
  });
}

/** Makes a binding a batch binding (all keys in one call) or, with null, a per-key one. */
export function setBatch(doc: WorkspaceDoc, type: string, field: string, batch: BatchOptions | null): EditResult {
  return updateBound(doc, type, field, (b) => {
    if (batch === null) return setKey(b, "batch", undefined);
    if (batch.match !== "order" && batch.match.field.trim() === "") {
      return `\`${type}.${field}\`: a batch matched by field needs the field's name`;
    }
    return { ...b, batch };
  });
}

/** Sets the key of a bound field (parent field -> operation input); null removes it. */
export function setKeyBinding(doc: WorkspaceDoc, type: string, field: string, key: KeyBinding | null): EditResult {
  return updateBound(doc, type, field, (b) => setKey(b, "key", key ?? undefined));
}

/** Sets the dot path of the response that holds a bound field's value; empty or null removes it. */
export function setResult(doc: WorkspaceDoc, type: string, field: string, result: string | null): EditResult {
  const r = result?.trim() ?? "";
  return updateBound(doc, type, field, (b) => setKey(b, "result", r === "" ? undefined : r));
}

/**
 * Makes a `Mutation` field an aggregated write over several operations at once (replacing a
 * binding): one target per operation, labelled by the operation's name, each operation input
 * taking the field's argument of the same name, else the same-named field of its one
 * input-object argument (`input.email`).
 */
export function aggregate(
  doc: WorkspaceDoc,
  type: string,
  field: string,
  operations: { source: string; operation: string }[],
): EditResult {
  const f = getField(doc, type, field);
  if (!f) return fail(doc, `no field \`${type}.${field}\``);
  if (type !== "Mutation") return fail(doc, `\`${type}.${field}\`: an aggregated write is a field of \`Mutation\``);
  if (operations.length === 0) return fail(doc, "choose at least one operation");
  const args = f.arguments ?? {};
  const inputObjects = Object.entries(args)
    .map(([name, a]) => [name, doc.schema.inputs?.[namedOfText(a.type)]] as const)
    .filter(([, def]) => def !== undefined);
  const targets: NonNullable<FieldDef["aggregate"]>["targets"] = {};
  for (const { source: sourceName, operation } of operations) {
    const source = getSource(doc, sourceName);
    if (!source) return fail(doc, `unknown source \`${sourceName}\``);
    if (!hasOperation(source, operation)) return fail(doc, `source \`${sourceName}\` has no operation \`${operation}\``);
    let label = operation.split(/[/.]/).pop() ?? operation;
    if (Object.prototype.hasOwnProperty.call(targets, label)) label = `${sourceName}.${label}`;
    const targetArgs: Record<string, ArgValue> = {};
    for (const input of Object.keys(operationInputs(source, operation))) {
      if (Object.prototype.hasOwnProperty.call(args, input)) {
        targetArgs[input] = { argument: input };
        continue;
      }
      const holder = inputObjects.find(([, def]) => def && Object.prototype.hasOwnProperty.call(def.fields, input));
      if (holder) targetArgs[input] = { argument: `${holder[0]}.${input}` };
    }
    targets[label] = {
      source: sourceName,
      operation,
      ...(Object.keys(targetArgs).length > 0 ? { args: targetArgs } : {}),
    };
  }
  const next: FieldDef = { ...f, aggregate: { targets } };
  delete next.binding;
  return ok(withField(doc, type, field, next));
}

/** The named type of type text (`[LineInput!]!` -> `LineInput`), or "" when it does not parse. */
function namedOfText(text: string): string {
  const parsed = parseTypeRef(text);
  return parsed.ok ? namedOf(parsed.type) : "";
}
