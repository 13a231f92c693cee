// Builds a GraphQL document from the explorer's state: the ticked field paths (dot-joined
// from Query, e.g. "getOrderDetails.user.name") and the argument values typed beside them.
// Fields come out in schema order whatever order they were ticked in, so the document is
// stable; argument text becomes a proper GraphQL literal for the argument's type, and a
// value starting with "$" is a variable reference, kept as it is and declared. An argument of an
// input object type is either typed whole (a variable, JSON) or filled in field by field in a
// nested form: those texts are kept under "arg.field.sub" keys and become an object literal.
// The root is `Query` or `Mutation` (a `mutation` document).
import type { SchemaTree, TypeView, FieldView, InputTypeView } from "../bindings";
import { isListType, listItemType, namedType } from "./types";

/** Argument values: path -> argument name -> text typed by the user. */
export type ArgValues = Record<string, Record<string, string>>;

export interface BuildOptions {
  operationName?: string;
  rootType?: string;
  indent?: string;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const INT = /^-?(0|[1-9][0-9]*)$/;
const FLOAT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** A GraphQL string literal with everything that needs escaping escaped. */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code === 0x7f) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

/** A JSON value as a GraphQL literal (object keys unquoted, strings escaped). */
export function jsonToLiteral(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return quoteString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "[" + value.map(jsonToLiteral).join(", ") + "]";
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${k}: ${jsonToLiteral(v)}`,
    );
    return "{" + parts.join(", ") + "}";
  }
  return "null";
}

/**
 * The literal for one argument value typed as text, or null when the text is blank
 * (the argument is then left out).
 */
export function argumentLiteral(text: string, typeRef: string): string | null {
  const raw = text.trim();
  if (raw === "") return null;
  if (raw.startsWith("$") && NAME.test(raw.slice(1))) return raw;
  if (raw === "null") return "null";
  if (isListType(typeRef)) {
    if (raw.startsWith("[")) {
      try {
        return jsonToLiteral(JSON.parse(raw));
      } catch {
        // fall through: treat as comma-separated items
      }
    }
    const item = listItemType(typeRef);
    const items = raw.replace(/^\[|\]$/g, "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    return "[" + items.map((s) => argumentLiteral(s, item) ?? "null").join(", ") + "]";
  }
  switch (namedType(typeRef)) {
    case "Int":
      return INT.test(raw) ? raw : quoteString(text);
    case "Float":
      return FLOAT.test(raw) ? raw : quoteString(text);
    case "Boolean":
      return raw === "true" || raw === "false" ? raw : quoteString(text);
    case "String":
    case "ID":
      return quoteString(text);
    default:
      if (raw.startsWith("{")) {
        try {
          return jsonToLiteral(JSON.parse(raw));
        } catch {
          return quoteString(text);
        }
      }
      // An enum value is a bare name; anything else is sent as a string.
      return NAME.test(raw) ? raw : quoteString(text);
  }
}

/** Every prefix of every ticked path, so ticking a leaf implies its parents. */
export function closePaths(selected: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const path of selected) {
    const parts = path.split(".");
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join("."));
  }
  return out;
}

interface Walk {
  types: Map<string, TypeView>;
  inputs: Map<string, InputTypeView>;
  selected: Set<string>;
  args: ArgValues;
  indent: string;
  variables: Map<string, string>;
}

/** Nested input objects deeper than this are not drawn as forms (a type may contain itself). */
export const MAX_INPUT_DEPTH = 6;

/**
 * The literal of the value at `key` (an argument name, or "arg.field" inside a nested form):
 * its own text when typed, else the object its nested fields make (input object types that
 * are not lists), else null (left out). Variables met on the way are declared.
 */
function valueLiteral(
  values: Record<string, string>,
  key: string,
  type: string,
  walk: Pick<Walk, "inputs" | "variables">,
  depth: number,
): string | null {
  const text = values[key];
  if (text !== undefined && text.trim() !== "") {
    const literal = argumentLiteral(text, type);
    if (literal !== null && literal.startsWith("$") && !walk.variables.has(literal.slice(1))) {
      walk.variables.set(literal.slice(1), type);
    }
    return literal;
  }
  const input = walk.inputs.get(namedType(type));
  if (!input || isListType(type) || depth >= MAX_INPUT_DEPTH) return null;
  const parts: string[] = [];
  for (const f of input.fields) {
    const literal = valueLiteral(values, `${key}.${f.name}`, f.type, walk, depth + 1);
    if (literal !== null) parts.push(`${f.name}: ${literal}`);
  }
  return parts.length > 0 ? `{${parts.join(", ")}}` : null;
}

function fieldLine(field: FieldView, path: string, walk: Walk): string {
  const values = walk.args[path] ?? {};
  const parts: string[] = [];
  for (const arg of field.arguments) {
    const literal = valueLiteral(values, arg.name, arg.type, walk, 0);
    if (literal === null) continue;
    parts.push(`${arg.name}: ${literal}`);
  }
  return parts.length > 0 ? `${field.name}(${parts.join(", ")})` : field.name;
}

function selectionLines(typeName: string, prefix: string, depth: number, walk: Walk): string[] {
  const type = walk.types.get(typeName);
  if (!type) return [];
  const pad = walk.indent.repeat(depth);
  const lines: string[] = [];
  for (const field of type.fields) {
    const path = prefix === "" ? field.name : `${prefix}.${field.name}`;
    if (!walk.selected.has(path)) continue;
    const head = pad + fieldLine(field, path, walk);
    if (field.isObject || walk.types.has(field.namedType)) {
      const inner = selectionLines(field.namedType, path, depth + 1, walk);
      // An object needs a selection: __typename keeps the document valid until
      // a subfield is ticked.
      const body = inner.length > 0 ? inner : [walk.indent.repeat(depth + 1) + "__typename"];
      lines.push(head + " {", ...body, pad + "}");
    } else {
      lines.push(head);
    }
  }
  // An interface or a union: `... on T { }` for each possible type with ticked fields (their
  // paths run through a `@T` segment, which no field name can spell). The concrete type is
  // asked for too, so the answer says which one each object is.
  const fragments: string[] = [];
  for (const possible of type.possibleTypes ?? []) {
    const at = fragmentPath(prefix, possible);
    if (!walk.selected.has(at)) continue;
    const inner = selectionLines(possible, at, depth + 1, walk);
    if (inner.length > 0) fragments.push(`${pad}... on ${possible} {`, ...inner, `${pad}}`);
  }
  if (fragments.length > 0 && !lines.some((l) => l.trim() === "__typename")) lines.unshift(`${pad}__typename`);
  return [...lines, ...fragments];
}

/** The explorer path of the fragment on `typeName` under `prefix` (`search.@User`). */
export function fragmentPath(prefix: string, typeName: string): string {
  return prefix === "" ? `@${typeName}` : `${prefix}.@${typeName}`;
}

/** The document for the ticked paths; an empty string when nothing is ticked. */
export function buildQuery(
  schema: SchemaTree,
  selected: Iterable<string>,
  args: ArgValues,
  options: BuildOptions = {},
): string {
  const walk: Walk = {
    types: new Map(schema.types.map((t) => [t.name, t])),
    inputs: new Map((schema.inputs ?? []).map((t) => [t.name, t])),
    selected: closePaths(selected),
    args,
    indent: options.indent ?? "  ",
    variables: new Map(),
  };
  const root = options.rootType ?? "Query";
  const body = selectionLines(root, "", 1, walk);
  if (body.length === 0) return "";
  let head = root === "Mutation" ? "mutation" : "query";
  if (options.operationName && NAME.test(options.operationName)) head += ` ${options.operationName}`;
  if (walk.variables.size > 0) {
    const defs = [...walk.variables].map(([name, type]) => `$${name}: ${type}`);
    head += `(${defs.join(", ")})`;
  }
  return [head + " {", ...body, "}"].join("\n") + "\n";
}

/** Removes a path and everything under it from a selection. */
export function untick(selected: Iterable<string>, path: string): Set<string> {
  const out = new Set<string>();
  for (const p of selected) if (p !== path && !p.startsWith(path + ".")) out.add(p);
  return out;
}
