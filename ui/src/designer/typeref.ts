// GraphQL type references as the workspace writes them (`ID!`, `[Product!]!`), parsed the way
// crates/knot-model/src/typeref.rs parses them, with the same messages.
import { BUILTIN_SCALARS } from "./types";

export type TypeRef =
  | { kind: "named"; name: string }
  | { kind: "list"; of: TypeRef }
  | { kind: "nonNull"; of: TypeRef };

export type ParsedType = { ok: true; type: TypeRef } | { ok: false; error: string };

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Whether `name` is a valid GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`). */
export function isGraphqlName(name: string): boolean {
  return NAME.test(name);
}

export function isBuiltinScalar(name: string): boolean {
  return BUILTIN_SCALARS.includes(name);
}

class ParseFailure extends Error {}

function parseInner(text: string, depth: number): [TypeRef, string] {
  if (depth > 16) throw new ParseFailure("type nested more than 16 lists deep");
  const t = text.trimStart();
  let base: TypeRef;
  let rest: string;
  if (t.startsWith("[")) {
    const [inner, after] = parseInner(t.slice(1), depth + 1);
    const a = after.trimStart();
    if (!a.startsWith("]")) throw new ParseFailure("a list type is missing its closing `]`");
    base = { kind: "list", of: inner };
    rest = a.slice(1);
  } else {
    const m = /^[_0-9A-Za-z]*/.exec(t);
    const name = m ? m[0] : "";
    if (!isGraphqlName(name)) throw new ParseFailure(`\`${t}\` is not a type name`);
    base = { kind: "named", name };
    rest = t.slice(name.length);
  }
  const r = rest.trimStart();
  return r.startsWith("!") ? [{ kind: "nonNull", of: base }, r.slice(1)] : [base, rest];
}

/** Parses `"[ID!]!"`-style text; on failure the message names what is wrong. */
export function parseTypeRef(text: string): ParsedType {
  const trimmed = text.trim();
  if (trimmed === "") {
    return { ok: false, error: 'a type is required (for example "ID!" or "[Product!]")' };
  }
  try {
    const [type, rest] = parseInner(trimmed, 0);
    if (rest.trim() !== "") {
      return { ok: false, error: `unexpected \`${rest.trim()}\` after the type in "${text}"` };
    }
    return { ok: true, type };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.message };
    throw e;
  }
}

/** The type, or null when the text does not parse. */
export function typeOrNull(text: string): TypeRef | null {
  const p = parseTypeRef(text);
  return p.ok ? p.type : null;
}

export function printTypeRef(t: TypeRef): string {
  switch (t.kind) {
    case "named":
      return t.name;
    case "list":
      return `[${printTypeRef(t.of)}]`;
    case "nonNull":
      return `${printTypeRef(t.of)}!`;
  }
}

/** The named type at the core: `[Product!]!` -> `Product`. */
export function namedOf(t: TypeRef): string {
  return t.kind === "named" ? t.name : namedOf(t.of);
}

/** The named type of a type text, or null when it does not parse. */
export function namedTypeOf(text: string): string | null {
  const t = typeOrNull(text);
  return t ? namedOf(t) : null;
}

export function isNonNull(t: TypeRef): boolean {
  return t.kind === "nonNull";
}

/** The type without its outermost `!`. */
export function nullable(t: TypeRef): TypeRef {
  return t.kind === "nonNull" ? t.of : t;
}

export function isList(t: TypeRef): boolean {
  return nullable(t).kind === "list";
}

/** The element type of a list type (ignoring the outer `!`), or null. */
export function listItem(t: TypeRef): TypeRef | null {
  const n = nullable(t);
  return n.kind === "list" ? n.of : null;
}

function mapNamed(t: TypeRef, from: string, to: string): TypeRef {
  if (t.kind === "named") return t.name === from ? { kind: "named", name: to } : t;
  return { kind: t.kind, of: mapNamed(t.of, from, to) };
}

/**
 * The type text with its named type `from` replaced by `to`, wrappers kept
 * (`[Product!]!` -> `[Item!]!`). Text that does not name `from` comes back unchanged.
 */
export function renameNamedType(text: string, from: string, to: string): string {
  const t = typeOrNull(text);
  if (!t || namedOf(t) !== from) return text;
  return printTypeRef(mapNamed(t, from, to));
}

/**
 * Whether a value of type `from` may be passed where `to` is expected (nullability is a run-time
 * check). IDs accept strings and integers; JSON accepts and gives anything. Mirrors the checker.
 */
export function compatible(from: TypeRef, to: TypeRef): boolean {
  const f = nullable(from);
  const t = nullable(to);
  if (f.kind === "list" && t.kind === "list") return compatible(f.of, t.of);
  if (t.kind === "named" && t.name === "JSON") return true;
  if (f.kind === "named" && f.name === "JSON") return true;
  if (f.kind === "named" && t.kind === "named") {
    return (
      f.name === t.name ||
      (t.name === "ID" && (f.name === "String" || f.name === "Int")) ||
      (t.name === "String" && f.name === "ID") ||
      (t.name === "Float" && f.name === "Int")
    );
  }
  return false;
}
