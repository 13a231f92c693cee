// "What the binding will send": the operation inputs a bound field's calls would carry for
// sample parent objects, worked out the way the executor builds its calls (knot-execute
// `prepare`): other inputs from arguments, environment, literals or parent fields; the key read
// from each parent; keys deduplicated; a null key makes no call; a list key one key per
// element; a batch binding one call per group of inputs, its keys split by `maxBatchSize`.
import type { FieldDef, JsonObject, JsonValue, WorkspaceDoc } from "./types";
import { getField, getType, own } from "./doc";

export interface PreviewOptions {
  /** Values of the bound field's arguments (defaults fill the rest). */
  args?: Record<string, JsonValue>;
  /** Environment variables. */
  env?: Record<string, string>;
}

export interface PreviewCall {
  /** Operation inputs, the key input last (a list of keys for a batch call). */
  inputs: JsonObject;
  /** Indices of the sample parents this call serves. */
  parents: number[];
}

export type BindingPreview =
  | {
      ok: true;
      mode: "single" | "batch";
      calls: PreviewCall[];
      /** The distinct keys, in first-seen order. */
      keys: JsonValue[];
      /** Values the sample did not give (`argument x`, `env X`, `parent y`): sent as null. */
      missing: string[];
    }
  | { ok: false; error: string };

function getPath(v: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let cur = v;
  for (const seg of path) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
    else if (cur !== null && typeof cur === "object" && !Array.isArray(cur)) cur = own(cur, seg);
    else return undefined;
  }
  return cur;
}

/** Where a parent field's value sits in the parent's data: its `from` path, else its name. */
function parentPath(parentType: FieldDef | undefined, name: string): string[] {
  if (parentType && !parentType.binding && parentType.from) return parentType.from.split(".");
  return [name];
}

/** The executor's key identity: strings as they are, numbers as text, anything else as JSON. */
function keyId(v: JsonValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return JSON.stringify(v);
}

/** What `type.field`'s binding sends for `parents` (one sample object or several). */
export function previewBinding(
  doc: WorkspaceDoc,
  type: string,
  field: string,
  parents: JsonValue | readonly JsonValue[],
  opts: PreviewOptions = {},
): BindingPreview {
  const def = getField(doc, type, field);
  if (!def) return { ok: false, error: `no field \`${type}.${field}\`` };
  const b = def.binding;
  if (!b) return { ok: false, error: `\`${type}.${field}\` is not bound to an operation` };
  const siblings = getType(doc, type)?.fields;
  const list: readonly JsonValue[] = Array.isArray(parents) ? parents : [parents as JsonValue];
  const batch = !!b.batch;
  if (batch && !b.key) return { ok: false, error: `\`${type}.${field}\`: a batch binding needs a key` };
  const missing = new Set<string>();
  const calls: { inputs: JsonObject; keys: number[]; parents: Set<number> }[] = [];
  const callIds = new Map<string, number>();
  const keys: JsonValue[] = [];
  const keyIds = new Map<string, number>();
  const keyCall = new Map<number, number>();
  const openBatch = new Map<string, number>();
  const limit = Math.max(1, b.batch?.maxBatchSize ?? Number.MAX_SAFE_INTEGER);
  const readParent = (parent: JsonValue, name: string): JsonValue => {
    const v = getPath(parent, parentPath(own(siblings, name), name));
    if (v === undefined) missing.add(`parent ${name}`);
    return v ?? null;
  };

  list.forEach((parent, pi) => {
    const inputs: JsonObject = {};
    for (const [input, src] of Object.entries(b.args ?? {})) {
      let v: JsonValue | undefined;
      if ("value" in src) v = src.value;
      else if ("env" in src) {
        v = own(opts.env, src.env);
        if (v === undefined) missing.add(`env ${src.env}`);
      } else if ("argument" in src) {
        v = own(opts.args, src.argument) ?? own(def.arguments, src.argument)?.default;
        if (v === undefined) missing.add(`argument ${src.argument}`);
      } else v = readParent(parent, src.parent);
      inputs[input] = v ?? null;
    }
    const group = JSON.stringify(inputs);
    if (!b.key) {
      let id = callIds.get(group);
      if (id === undefined) {
        id = calls.push({ inputs, keys: [], parents: new Set() }) - 1;
        callIds.set(group, id);
      }
      calls[id]?.parents.add(pi);
      return;
    }
    const keyInput = b.key.input;
    const keyValue = readParent(parent, b.key.parent);
    const one = (k: JsonValue): void => {
      if (k === null) return;
      const kid = `${group}\u0000${keyId(k)}`;
      let ki = keyIds.get(kid);
      if (ki === undefined) {
        ki = keys.push(k) - 1;
        keyIds.set(kid, ki);
        if (!batch) {
          keyCall.set(ki, calls.push({ inputs: { ...inputs, [keyInput]: k }, keys: [ki], parents: new Set() }) - 1);
        } else {
          const open = openBatch.get(group);
          const c = open === undefined ? undefined : calls[open];
          if (open !== undefined && c && c.keys.length < limit) {
            c.keys.push(ki);
            keyCall.set(ki, open);
          } else {
            const id = calls.push({ inputs, keys: [ki], parents: new Set() }) - 1;
            openBatch.set(group, id);
            keyCall.set(ki, id);
          }
        }
      }
      const ci = keyCall.get(ki);
      if (ci !== undefined) calls[ci]?.parents.add(pi);
    };
    if (Array.isArray(keyValue)) keyValue.forEach(one);
    else one(keyValue);
  });

  const out: PreviewCall[] = calls.map((c) => ({
    inputs: batch && b.key ? { ...c.inputs, [b.key.input]: c.keys.map((k) => keys[k] ?? null) } : c.inputs,
    parents: [...c.parents].sort((x, y) => x - y),
  }));
  return { ok: true, mode: batch ? "batch" : "single", calls: out, keys, missing: [...missing] };
}
