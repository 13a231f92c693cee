// The reverse of build.ts: a document typed by hand (or reopened from history) -> the
// explorer's ticked paths and argument texts, so the tree follows the editor. Aliases map
// to the field they alias; fragments are followed; unknown fields are ignored.
import { Kind, parse, print, type SelectionSetNode, type ValueNode, type FragmentDefinitionNode } from "graphql";
import type { SchemaTree, TypeView } from "../bindings";
import type { ArgValues } from "./build";

export interface Extracted {
  selected: string[];
  args: ArgValues;
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

/** Null when the document does not parse or has no query operation. */
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
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === "query" && (operationName === null || d.name?.value === operationName),
  );
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return null;
  const types = new Map<string, TypeView>(schema.types.map((t) => [t.name, t]));
  const selected: string[] = [];
  const args: ArgValues = {};

  const walk = (set: SelectionSetNode, typeName: string, prefix: string, seen: Set<string>) => {
    const type = types.get(typeName);
    if (!type) return;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, sel.typeCondition?.name.value ?? typeName, prefix, seen);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (frag && !seen.has(frag.name.value)) walk(frag.selectionSet, frag.typeCondition.name.value, prefix, new Set(seen).add(frag.name.value));
      } else {
        const field = type.fields.find((f) => f.name === sel.name.value);
        if (!field) continue;
        const path = prefix === "" ? field.name : `${prefix}.${field.name}`;
        if (!selected.includes(path)) selected.push(path);
        for (const a of sel.arguments ?? []) (args[path] ??= {})[a.name.value] = valueText(a.value);
        if (sel.selectionSet) walk(sel.selectionSet, field.namedType, path, seen);
      }
    }
  };
  walk(op.selectionSet, "Query", "", new Set());
  return { selected, args };
}
