// The workspace's saved operations (`operations`: named GraphQL documents, some exposed as REST
// endpoints) edited from the Query screen: save a document under a new name, save it again
// over its saved version (its description and endpoint kept), rename one.
import type { HttpMethod, SavedOperation, WorkspaceDoc } from "./types";
import type { EditResult } from "./doc";
import { fail, own, renameKey } from "./doc";

const NAME = /^[A-Za-z0-9_-]+$/;

function nameProblem(name: string): string | null {
  if (name.trim() === "") return "The saved operation needs a name";
  if (!NAME.test(name)) return "A saved operation's name may use only letters, digits, `_` and `-`";
  return null;
}

function withOperations(doc: WorkspaceDoc, operations: Record<string, SavedOperation>): WorkspaceDoc {
  return { ...doc, operations };
}

/**
 * Saves `document` as the operation `name`: a new entry at the end, or the existing one's
 * document replaced (everything else about it kept) when `overwrite` is set; an existing name
 * without `overwrite` is refused, so a save never replaces another operation by accident.
 */
export function saveOperation(doc: WorkspaceDoc, name: string, document: string, overwrite = false): EditResult {
  const problem = nameProblem(name);
  if (problem) return fail(doc, problem);
  if (document.trim() === "") return fail(doc, "The document is empty");
  const existing = own(doc.operations, name);
  if (existing && !overwrite) return fail(doc, `a saved operation \`${name}\` already exists`);
  const next: SavedOperation = existing ? { ...existing, document } : { document };
  return { doc: withOperations(doc, { ...(doc.operations ?? {}), [name]: next }) };
}

/** Renames a saved operation in place (order kept). */
export function renameSavedOperation(doc: WorkspaceDoc, from: string, to: string): EditResult {
  const op = own(doc.operations, from);
  if (!op) return fail(doc, `no saved operation \`${from}\``);
  if (from === to) return { doc };
  const problem = nameProblem(to);
  if (problem) return fail(doc, problem);
  if (own(doc.operations, to)) return fail(doc, `a saved operation \`${to}\` already exists`);
  return { doc: withOperations(doc, renameKey(doc.operations ?? {}, from, to, op)) };
}

const PATH = /^\/[A-Za-z0-9\-._~{}/]*$/;

/**
 * Serves saved operation `name` as a REST composite endpoint (`GET /orders/{id}`): path
 * parameters name the operation's variables, the others travel as query parameters (GET) or
 * as the JSON body. Another operation's endpoint with the same method and path is refused.
 */
export function exposeRest(doc: WorkspaceDoc, name: string, method: HttpMethod, path: string): EditResult {
  const op = own(doc.operations, name);
  if (!op) return fail(doc, `no saved operation \`${name}\``);
  const p = path.trim();
  if (!p.startsWith("/")) return fail(doc, "An endpoint's path starts with `/`");
  if (!PATH.test(p)) return fail(doc, "An endpoint's path may use letters, digits, `-._~/` and `{variable}` parameters");
  const vars = new Set([...op.document.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)\s*:/g)].map((m) => m[1]));
  for (const m of p.matchAll(/\{([^}]*)\}/g)) {
    if (!vars.has(m[1])) return fail(doc, `\`{${m[1]}}\` in the path is not a variable of ${name}`);
  }
  for (const [other, o] of Object.entries(doc.operations ?? {})) {
    if (other !== name && o.rest && (o.rest.method ?? "GET") === method && o.rest.path === p) {
      return fail(doc, `${method} ${p} is already the endpoint of ${other}`);
    }
  }
  return { doc: withOperations(doc, { ...(doc.operations ?? {}), [name]: { ...op, rest: { method, path: p } } }) };
}

/** Serves saved operation `name` as a method of the workspace's gRPC service (`"grpc": {}`). */
export function exposeGrpc(doc: WorkspaceDoc, name: string): EditResult {
  const op = own(doc.operations, name);
  if (!op) return fail(doc, `no saved operation \`${name}\``);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return fail(doc, `${name} is not a valid gRPC method name: rename it with letters, digits and \`_\` only`);
  if (op.grpc) return { doc };
  return { doc: withOperations(doc, { ...(doc.operations ?? {}), [name]: { ...op, grpc: {} } }) };
}
