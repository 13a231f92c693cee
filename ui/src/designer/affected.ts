// Which saved operations a rename touches. Their GraphQL text is never rewritten (it is the
// user's), only reported: a document selecting `Order.user` is affected by renaming that field,
// one with a fragment `on Order` by renaming the type. Selections are followed from `Query`
// through the workspace's own types; a document that does not parse is reported when it
// mentions the name as a word, since nothing better can be said about it.
import { Kind, parse } from "graphql";
import type { DocumentNode, FragmentDefinitionNode, SelectionSetNode } from "graphql";
import type { WorkspaceDoc } from "./types";
import { QUERY_TYPE } from "./types";
import { getField, getType } from "./doc";
import { namedTypeOf } from "./typeref";

/** What a rename changes: a whole type, or one field of a type. */
export type RenameTarget = { type: string } | { type: string; field: string };

function mentions(text: string, name: string): boolean {
  return new RegExp(`(^|[^_0-9A-Za-z])${name}($|[^_0-9A-Za-z])`).test(text);
}

function touches(doc: WorkspaceDoc, ast: DocumentNode, target: RenameTarget): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of ast.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  const field = "field" in target ? target.field : null;
  if (field === null) {
    // A type rename breaks type conditions only.
    for (const d of ast.definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION && d.typeCondition.name.value === target.type) return true;
    }
  }
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, typeName: string): boolean => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if (field !== null && typeName === target.type && name === field) return true;
        const def = getField(doc, typeName, name);
        const next = def ? namedTypeOf(def.type) : null;
        if (sel.selectionSet && next && getType(doc, next) && walk(sel.selectionSet, next)) return true;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition?.name.value ?? typeName;
        if (field === null && cond === target.type && sel.typeCondition) return true;
        if (walk(sel.selectionSet, cond)) return true;
      } else {
        const frag = fragments.get(sel.name.value);
        const key = `${sel.name.value}@${typeName}`;
        if (frag && !seen.has(key)) {
          seen.add(key);
          if (walk(frag.selectionSet, frag.typeCondition.name.value)) return true;
        }
      }
    }
    return false;
  };
  for (const d of ast.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION && d.operation === "query") {
      if (walk(d.selectionSet, QUERY_TYPE)) return true;
    }
  }
  return false;
}

/** The names of the saved operations whose documents use the renamed type or field. */
export function affectedOperations(doc: WorkspaceDoc, target: RenameTarget): string[] {
  const out: string[] = [];
  for (const [name, op] of Object.entries(doc.operations ?? {})) {
    let ast: DocumentNode | null = null;
    try {
      ast = parse(op.document);
    } catch {
      ast = null;
    }
    const hit = ast
      ? touches(doc, ast, target)
      : mentions(op.document, "field" in target ? target.field : target.type);
    if (hit) out.push(name);
  }
  return out;
}
