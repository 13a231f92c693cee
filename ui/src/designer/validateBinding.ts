// The binding checks of crates/knot-model/src/validate.rs (`binding`, `parent_field_type`):
// source and operation exist, the key's parent field exists and fits the input, a batch has a
// key and a list input, arguments come from somewhere real, required inputs all get a value.
import type { Binding, FieldDef, WorkspaceDoc } from "./types";
import { MUTATION_TYPE, QUERY_TYPE } from "./types";
import type { TypeRef } from "./typeref";
import { compatible, isList, isNonNull, listItem, namedOf, nullable, printTypeRef, typeOrNull } from "./typeref";
import { getSource, getType, hasOperation, listNames, operationInputs, own } from "./doc";
import { fieldPath } from "./problems";
import type { Problems } from "./validate";

function envNames(doc: WorkspaceDoc): Set<string> {
  const out = new Set<string>();
  for (const env of Object.values(doc.environments ?? {})) {
    for (const name of Object.keys(env.variables ?? {})) out.add(name);
  }
  return out;
}

/** The type of the parent field `name` of `typeName`, or null (with a problem) when there is none. */
function parentFieldType(doc: WorkspaceDoc, out: Problems, typeName: string, name: string, path: string): TypeRef | null {
  if (typeName === QUERY_TYPE || typeName === MUTATION_TYPE) {
    out.push("unknown-field", path, `fields of \`${typeName}\` have no parent object, so \`${name}\` cannot come from one`);
    return null;
  }
  const obj = getType(doc, typeName);
  if (!obj) return null;
  const f = own(obj.fields, name);
  if (!f) {
    out.push(
      "unknown-field",
      path,
      `\`${typeName}\` has no field \`${name}\` (fields: ${listNames(Object.keys(obj.fields))}); declare it, private if it should stay hidden`,
    );
    return null;
  }
  return typeOrNull(f.type);
}

export function checkBinding(
  doc: WorkspaceDoc,
  out: Problems,
  typeName: string,
  fieldName: string,
  field: FieldDef,
  fieldTy: TypeRef,
  b: Binding,
  at: string[] = ["binding"],
): void {
  const path = fieldPath(typeName, fieldName, ...at);
  const source = getSource(doc, b.source);
  if (!source) {
    out.push("unknown-source", `${path}.source`, `unknown source \`${b.source}\` (sources: ${listNames(Object.keys(doc.sources ?? {}))})`);
    return;
  }
  if (!hasOperation(source, b.operation)) {
    out.push(
      "unknown-operation",
      `${path}.operation`,
      `source \`${b.source}\` has no operation \`${b.operation}\` (operations: ${listNames(Object.keys(source.operations ?? {}))})`,
    );
    return;
  }
  const inputs = operationInputs(source, b.operation);
  const inputNames = Object.keys(inputs);
  // gRPC operations may leave their inputs to the proto; then names are checked later.
  const declared = inputNames.length > 0 || source.kind !== "grpc";
  const inputType = (name: string): TypeRef | null => {
    const t = own(inputs, name);
    return t === undefined ? null : typeOrNull(t);
  };
  const provided = new Set<string>();
  const p = printTypeRef;

  if (b.key) {
    const key = b.key;
    provided.add(key.input);
    const kp = `${path}.key`;
    if (declared && own(inputs, key.input) === undefined) {
      out.push("unknown-input", `${kp}.input`, `operation \`${b.operation}\` has no input \`${key.input}\` (inputs: ${listNames(inputNames)})`);
    }
    const keyTy = parentFieldType(doc, out, typeName, key.parent, `${kp}.parent`);
    if (keyTy) {
      if (isList(keyTy) && !isList(fieldTy)) {
        out.push(
          "type-mismatch",
          `${kp}.parent`,
          `key \`${key.parent}\` is a list (${p(keyTy)}), so \`${typeName}.${fieldName}\` must be a list type, not \`${p(fieldTy)}\``,
        );
      }
      const keyItem = listItem(keyTy) ?? nullable(keyTy);
      const inTy = inputType(key.input);
      if (inTy) {
        const misfit = `key \`${key.parent}\` (${p(keyItem)}) does not fit input \`${key.input}\` (${p(inTy)})`;
        if (b.batch) {
          const item = listItem(inTy);
          if (!item) {
            out.push("type-mismatch", `${kp}.input`, `a batch binding sends a list of keys, but input \`${key.input}\` is \`${p(inTy)}\``);
          } else if (!compatible(keyItem, item)) {
            out.push("type-mismatch", kp, misfit);
          }
        } else if (isList(inTy)) {
          out.push("type-mismatch", `${kp}.input`, `input \`${key.input}\` takes a list (\`${p(inTy)}\`); add \`batch\` to send all keys in one call`);
        } else if (!compatible(keyItem, inTy)) {
          out.push("type-mismatch", kp, misfit);
        }
      }
    }
  }
  if (b.batch) {
    const bp = `${path}.batch`;
    if (!b.key) {
      out.push("shape", bp, "a batch binding needs a `key`: the parent field whose values are batched");
    }
    const m = b.batch.match;
    if (m !== "order") {
      const first = m.field.split(".")[0] ?? "";
      const target = getType(doc, namedOf(fieldTy));
      if (!target) {
        out.push("type-mismatch", `${bp}.match`, `results are matched by field \`${m.field}\`, but \`${p(fieldTy)}\` is not an object type`);
      } else if (own(target.fields, first) === undefined) {
        out.push(
          "unknown-field",
          `${bp}.match`,
          `\`${namedOf(fieldTy)}\` has no field \`${first}\` to match results by (fields: ${listNames(Object.keys(target.fields))})`,
        );
      }
    }
    if (b.batch.maxBatchSize === 0) out.push("shape", `${bp}.maxBatchSize`, "`maxBatchSize` must be at least 1");
  }
  const envs = envNames(doc);
  const hasEnvironments = Object.keys(doc.environments ?? {}).length > 0;
  for (const [input, value] of Object.entries(b.args ?? {})) {
    provided.add(input);
    const ap = fieldPath(typeName, fieldName, ...at, "args", input);
    if (declared && own(inputs, input) === undefined) {
      out.push("unknown-input", ap, `operation \`${b.operation}\` has no input \`${input}\` (inputs: ${listNames(inputNames)})`);
    }
    let fromTy: TypeRef | null = null;
    if ("parent" in value) {
      fromTy = parentFieldType(doc, out, typeName, value.parent, `${ap}.parent`);
    } else if ("argument" in value) {
      // The argument, or a dot path into an input-object argument (`input.email`).
      const [name = "", ...rest] = value.argument.split(".");
      const def = own(field.arguments, name);
      if (!def) {
        out.push(
          "unknown-argument",
          `${ap}.argument`,
          `\`${typeName}.${fieldName}\` has no argument \`${name}\` (arguments: ${listNames(Object.keys(field.arguments ?? {}))})`,
        );
      } else if (rest.length === 0) {
        fromTy = typeOrNull(def.type);
      }
    } else if ("env" in value) {
      if (hasEnvironments && !envs.has(value.env)) {
        out.push("unknown-variable", `${ap}.env`, `\`${value.env}\` is not a variable of any environment (defined: ${listNames([...envs].sort())})`);
      }
    }
    const toTy = inputType(input);
    if (fromTy && toTy && !compatible(fromTy, toTy)) {
      out.push("type-mismatch", ap, `a \`${p(fromTy)}\` value does not fit input \`${input}\` of type \`${p(toTy)}\``);
    }
  }
  if (declared) {
    for (const [input, ty] of Object.entries(inputs)) {
      const t = typeOrNull(ty);
      if (t && isNonNull(t) && !provided.has(input)) {
        out.push("missing-input", path, `required input \`${input}\` of operation \`${b.operation}\` gets no value: add it to \`args\` or \`key\``);
      }
    }
  }
}
