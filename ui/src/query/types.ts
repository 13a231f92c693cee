// Helpers over GraphQL type strings as the schema tree gives them ("ID!", "[Product]", "[ID!]!").

/** The named type inside wrappers: "[ID!]!" -> "ID". */
export function namedType(typeRef: string): string {
  return typeRef.replace(/[[\]!\s]/g, "");
}

/** True when the outermost type (after a non-null) is a list. */
export function isListType(typeRef: string): boolean {
  return typeRef.trim().replace(/!$/, "").startsWith("[");
}

/** True when the type is non-null at the outermost level. */
export function isRequiredType(typeRef: string): boolean {
  return typeRef.trim().endsWith("!");
}

/** The element type of a list type: "[ID!]!" -> "ID!". */
export function listItemType(typeRef: string): string {
  const t = typeRef.trim().replace(/!$/, "");
  return t.startsWith("[") && t.endsWith("]") ? t.slice(1, -1) : t;
}
