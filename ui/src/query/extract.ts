// The reverse of build.ts: a document typed by hand (or reopened from history) -> the
// explorer's ticked paths and argument texts, so the tree follows the editor. Aliases map
// to the field they alias; fragments are followed; unknown fields are ignored.
import { Kind, parse, print, type SelectionSetNode, type ValueNode, type FragmentDefinitionNode } from "graphql";
import type { SchemaTree, TypeView } from "../bindings";
import { fragmentPath, type ArgValues } from "./build";

export interface Extracted {
  /** `Query` or `Mutation`: the root the operation selects from. */
  root: string;
  selected: string[];
  args: ArgValues;
}

/** An argument's value into the explorer's texts: object values field by field ("arg.field"). */
function putValue(into: Record<string, string>, key: string, v: ValueNode, depth: number) {
  if (v.kind === Kind.OBJECT && depth < 8) {
    for (const f of v.fields) putValue(into, `${key}.${f.name.value}`, f.value, depth + 1);
  } else {
    into[key] = valueText(v);
  }
}

function valueText(v: ValueNode): string {
  switch (v.kind) {
    case Kind.STRING:
      return v.value;
    case Kind.VARIABLE:
      return `$${v.name.value}`;
    case Kind.INT:
    case Kind.FLOAT:
    case Kind.ENUM:
      return v.value;
    case Kind.BOOLEAN:
      return String(v.value);
    case Kind.NULL:
      return "null";
    default:
      return print(v);
  }
}

/** Null when the document does not parse or has no query or mutation operation. */
export function extractSelection(schema: SchemaTree, document: string, operationName: string | null = null): Extracted | null {
  let doc;
  try {
    doc = parse(document);
  } catch {
    return null;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = doc.definitions.find(
    (d) =>
      d.kind === Kind.OPERATION_DEFINITION &&
      (d.operation === "query" || d.operation === "mutation") &&
      (operationName === null || d.name?.value === operationName),
  );
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return null;
  const types = new Map<string, TypeView>(schema.types.map((t) => [t.name, t]));
  const selected: string[] = [];
  const args: ArgValues = {};

  const walk = (set: SelectionSetNode, typeName: string, prefix: string, seen: Set<string>) => {
    const type = types.get(typeName);
    if (!type) return;
    for (const sel of set.selections) {
      const on = sel.kind === Kind.INLINE_FRAGMENT ? sel.typeCondition?.name.value : undefined;
      if (sel.kind === Kind.INLINE_FRAGMENT && on && on !== typeName && type.possibleTypes?.includes(on)) {
        // A fragment on one of an abstract type's possible types: its own branch of the tree.
        const at = fragmentPath(prefix, on);
        if (!selected.includes(at)) selected.push(at);
        walk(sel.selectionSet, on, at, seen);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, on ?? typeName, prefix, seen);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (frag && !seen.has(frag.name.value)) {
          const fragOn = frag.typeCondition.name.value;
          const branch = fragOn !== typeName && type.possibleTypes?.includes(fragOn);
          const at = branch ? fragmentPath(prefix, fragOn) : prefix;
          if (branch && !selected.includes(at)) selected.push(at);
          walk(frag.selectionSet, fragOn, at, new Set(seen).add(frag.name.value));
        }
      } else {
        const field = type.fields.find((f) => f.name === sel.name.value);
        if (!field) continue;
        const path = prefix === "" ? field.name : `${prefix}.${field.name}`;
        if (!selected.includes(path)) selected.push(path);
        for (const a of sel.arguments ?? []) putValue((args[path] ??= {}), a.name.value, a.value, 0);
        if (sel.selectionSet) walk(sel.selectionSet, field.namedType, path, seen);
      }
    }
  };
  const root = op.operation === "mutation" ? "Mutation" : "Query";
  walk(op.selectionSet, root, "", new Set());
  return { root, selected, args };
}
