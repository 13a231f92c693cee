// "Try it": a GraphQL query that reaches a bound field from `Query` along the shortest chain of
// public fields, declaring every required argument on the way as a `$variable` of its type, and
// selecting the field (with a few of its scalar subfields when it is an object), plus a variables
// object holding each required name (null, to be filled in).
import type { FieldDef, WorkspaceDoc } from "./types";
import { QUERY_TYPE } from "./types";
import { getField, getType } from "./doc";
import { namedTypeOf } from "./typeref";

/** At most this many scalar subfields are selected under the field. */
export const TRY_SUBFIELDS = 4;

export type TryIt =
  | { ok: true; query: string; variables: Record<string, null>; path: string[] }
  | { ok: false; error: string };

interface Step {
  type: string;
  field: string;
}

function isPublic(f: FieldDef): boolean {
  return f.private !== true;
}

/** The shortest chain of public object fields from `Query` to `target` (breadth first, file order). */
export function pathToType(doc: WorkspaceDoc, target: string): Step[] | null {
  if (target === QUERY_TYPE) return [];
  const prev = new Map<string, Step>();
  const queue = [QUERY_TYPE];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const tn = queue.shift() ?? "";
    for (const [fname, f] of Object.entries(getType(doc, tn)?.fields ?? {})) {
      const next = namedTypeOf(f.type);
      if (!isPublic(f) || next === null || seen.has(next) || !getType(doc, next)) continue;
      seen.add(next);
      prev.set(next, { type: tn, field: fname });
      if (next === target) {
        const steps: Step[] = [];
        for (let cur: string | undefined = target; cur !== QUERY_TYPE && cur !== undefined; ) {
          const s = prev.get(cur);
          if (!s) return null;
          steps.unshift(s);
          cur = s.type;
        }
        return steps;
      }
      queue.push(next);
    }
  }
  return null;
}

function requiredArgs(f: FieldDef): [string, string][] {
  return Object.entries(f.arguments ?? {}).filter(
    ([, a]) => a.type.trim().endsWith("!") && a.default === undefined,
  ).map(([n, a]) => [n, a.type.trim()]);
}

/** Up to `TRY_SUBFIELDS` public plain scalar fields without required arguments, else `__typename`. */
function scalarSubfields(doc: WorkspaceDoc, type: string): string[] {
  const out: string[] = [];
  for (const [name, f] of Object.entries(getType(doc, type)?.fields ?? {})) {
    const named = namedTypeOf(f.type);
    if (!isPublic(f) || f.binding || named === null || getType(doc, named) || requiredArgs(f).length > 0) continue;
    out.push(name);
    if (out.length >= TRY_SUBFIELDS) break;
  }
  return out.length > 0 ? out : ["__typename"];
}

function operationName(type: string, field: string): string {
  return `Try${type}${field.charAt(0).toUpperCase()}${field.slice(1)}`;
}

/** The query that tries `type.field`, or why there is none. */
export function tryItQuery(doc: WorkspaceDoc, type: string, field: string): TryIt {
  const target = getField(doc, type, field);
  if (!target) return { ok: false, error: `no field \`${type}.${field}\`` };
  if (!isPublic(target)) return { ok: false, error: `\`${type}.${field}\` is private and cannot be queried` };
  const chain = pathToType(doc, type);
  if (!chain) return { ok: false, error: `\`${type}\` cannot be reached from \`Query\` through public fields` };
  const steps = [...chain, { type, field }];

  const varDefs: string[] = [];
  const variables: Record<string, null> = {};
  const lines: string[] = [];
  steps.forEach((s, depth) => {
    const def = getField(doc, s.type, s.field);
    const args = def ? requiredArgs(def) : [];
    const parts = args.map(([arg, ty]) => {
      let v = arg;
      for (let i = 2; Object.hasOwn(variables, v); i += 1) v = `${arg}${i}`;
      variables[v] = null;
      varDefs.push(`$${v}: ${ty}`);
      return `${arg}: $${v}`;
    });
    const call = parts.length > 0 ? `${s.field}(${parts.join(", ")})` : s.field;
    const indent = "  ".repeat(depth + 1);
    const named = def ? namedTypeOf(def.type) : null;
    const last = depth === steps.length - 1;
    if (!last) {
      lines.push(`${indent}${call} {`);
    } else if (named !== null && getType(doc, named)) {
      lines.push(`${indent}${call} {`);
      for (const sub of scalarSubfields(doc, named)) lines.push(`${indent}  ${sub}`);
      lines.push(`${indent}}`);
    } else {
      lines.push(`${indent}${call}`);
    }
  });
  for (let depth = steps.length - 2; depth >= 0; depth -= 1) lines.push(`${"  ".repeat(depth + 1)}}`);
  const head = `query ${operationName(type, field)}${varDefs.length > 0 ? `(${varDefs.join(", ")})` : ""} {`;
  const query = [head, ...lines, "}", ""].join("\n");
  return { ok: true, query, variables, path: steps.map((s) => s.field) };
}
