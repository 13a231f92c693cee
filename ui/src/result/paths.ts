// Ids of the JSON tree's nodes and the mapping from a GraphQL error path to them.
// A node id is a JSON Pointer (RFC 6901) from the response root: "" is the root,
// "/data/getOrderDetails/products/1/name" a leaf. Error paths use response keys (so an
// alias is already the key) and list indexes; they point into `data`.

export type PathSegment = string | number;

function escapeSegment(s: PathSegment): string {
  return String(s).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function nodeId(segments: readonly PathSegment[]): string {
  return segments.map((s) => "/" + escapeSegment(s)).join("");
}

export function childId(parent: string, key: PathSegment): string {
  return parent + "/" + escapeSegment(key);
}

/** Segments back from an id (numbers stay strings: the id does not know the container). */
export function parseNodeId(id: string): string[] {
  if (id === "") return [];
  return id.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export interface ErrorTarget {
  /** The node the error is at, or its deepest ancestor that exists in the response. */
  target: string;
  /** True when the whole path exists in the response. */
  exact: boolean;
  /** Every ancestor of the target, root first (to expand them and mark them). */
  ancestors: string[];
}

function step(value: unknown, seg: PathSegment): { ok: boolean; value: unknown } {
  if (Array.isArray(value)) {
    const i = typeof seg === "number" ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
    return i >= 0 && i < value.length ? { ok: true, value: value[i] } : { ok: false, value: undefined };
  }
  if (value !== null && typeof value === "object") {
    const key = String(seg);
    return Object.prototype.hasOwnProperty.call(value, key)
      ? { ok: true, value: (value as Record<string, unknown>)[key] }
      : { ok: false, value: undefined };
  }
  return { ok: false, value: undefined };
}

/** Where one error path lands in the response tree. Null for a path-less error. */
export function errorTarget(response: unknown, path: readonly PathSegment[] | null | undefined): ErrorTarget | null {
  if (!path || path.length === 0) return null;
  const segments: PathSegment[] = ["data", ...path];
  const reached: PathSegment[] = [];
  let value: unknown = response;
  for (const seg of segments) {
    const next = step(value, seg);
    if (!next.ok) break;
    reached.push(seg);
    value = next.value;
  }
  const ancestors: string[] = [""];
  for (let i = 1; i < reached.length; i++) ancestors.push(nodeId(reached.slice(0, i)));
  return { target: nodeId(reached), exact: reached.length === segments.length, ancestors };
}

export interface Highlights {
  /** Ids of nodes that carry an error, with the error messages. */
  errors: Map<string, string[]>;
  /** Ids of ancestors of errors (to expand and mark softly). */
  trail: Set<string>;
}

interface ErrorLike {
  message?: unknown;
  path?: unknown;
}

function asPath(v: unknown): PathSegment[] | null {
  if (!Array.isArray(v)) return null;
  return v.every((s) => typeof s === "string" || typeof s === "number") ? (v as PathSegment[]) : null;
}

/** The response's own `errors` array mapped onto the tree. */
export function highlightErrors(response: unknown): Highlights {
  const errors = new Map<string, string[]>();
  const trail = new Set<string>();
  const list =
    response !== null && typeof response === "object" ? (response as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(list)) return { errors, trail };
  for (const e of list as ErrorLike[]) {
    const t = errorTarget(response, asPath(e?.path));
    if (!t) continue;
    const msg = typeof e.message === "string" ? e.message : "error";
    errors.set(t.target, [...(errors.get(t.target) ?? []), msg]);
    t.ancestors.forEach((a) => trail.add(a));
  }
  return { errors, trail };
}
