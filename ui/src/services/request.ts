// The Send request builder's pure parts: where each input of an operation goes (path, query,
// header, body for REST; message fields for gRPC; variables for GraphQL), which required inputs
// are still empty (nothing is sent then), a sent request as a cURL or grpcurl command, and sizes.
import type { InputView, RequestView } from "../bindings";
import type { JsonValue, Source } from "../designer/types";
import { own } from "../designer/doc";

export type Place = "path" | "query" | "header" | "body" | "message" | "variables" | "unused";

export const PLACE_LABEL: Record<Place, string> = {
  path: "Path",
  query: "Query",
  header: "Headers",
  body: "Body",
  message: "Message",
  variables: "Variables",
  unused: "Not sent",
};

/** `{name}` placeholders in a template string or anywhere in a JSON template. */
function placeholders(template: JsonValue | undefined, into: Set<string>) {
  if (typeof template === "string") {
    for (const m of template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) into.add(m[1] ?? "");
  } else if (Array.isArray(template)) {
    for (const v of template) placeholders(v, into);
  } else if (template !== null && typeof template === "object") {
    for (const v of Object.values(template)) placeholders(v, into);
  }
}

/**
 * Where each input of `source`'s operation `op` is sent, in the order the groups are drawn
 * (path, query, headers, body). A REST input named by no template is reported `unused`.
 */
export function inputPlaces(source: Source | undefined, op: string, inputs: readonly InputView[]): Map<string, Place> {
  const out = new Map<string, Place>();
  if (!source) {
    for (const i of inputs) out.set(i.name, "body");
    return out;
  }
  if (source.kind === "grpc") {
    for (const i of inputs) out.set(i.name, "message");
    return out;
  }
  if (source.kind === "graphql") {
    for (const i of inputs) out.set(i.name, "variables");
    return out;
  }
  const rest = own(source.operations, op);
  const inPath = new Set<string>();
  const inQuery = new Set<string>();
  const inHeaders = new Set<string>();
  const inBody = new Set<string>();
  placeholders(rest?.path, inPath);
  placeholders(rest?.query as JsonValue | undefined, inQuery);
  placeholders({ ...(source.headers ?? {}), ...(rest?.headers ?? {}) }, inHeaders);
  placeholders(rest?.body, inBody);
  for (const i of inputs) {
    out.set(
      i.name,
      inPath.has(i.name) ? "path" : inQuery.has(i.name) ? "query" : inHeaders.has(i.name) ? "header" : inBody.has(i.name) ? "body" : "unused",
    );
  }
  return out;
}

/** The inputs grouped by place, groups in drawing order, inputs in declaration order. */
export function groupByPlace(inputs: readonly InputView[], places: Map<string, Place>): [Place, InputView[]][] {
  const order: Place[] = ["path", "query", "header", "body", "message", "variables", "unused"];
  return order
    .map((p): [Place, InputView[]] => [p, inputs.filter((i) => (places.get(i.name) ?? "body") === p)])
    .filter(([, list]) => list.length > 0);
}

/** The names of required inputs left empty (blank text counts as empty). */
export function missingRequired(inputs: readonly InputView[], texts: Record<string, string>): string[] {
  return inputs.filter((i) => i.required && (texts[i.name] ?? "").trim() === "").map((i) => i.name);
}

/** A shell word in single quotes (a quote inside becomes '\''). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The sent request as a command to paste in a terminal: `curl` for HTTP (REST and GraphQL),
 * `grpcurl` for gRPC (target `endpoint/package.Service/Method`). Secrets stay as the request
 * summary shows them (`{{secret.NAME}}`): the command never holds a secret's value.
 */
export function requestCommand(request: RequestView): string {
  const body = request.body === null || request.body === undefined ? null : JSON.stringify(request.body);
  if (request.method.toLowerCase() === "grpc") {
    const cut = request.target.search(/\/[^/]+\/[^/]+$/);
    const endpoint = cut > 0 ? request.target.slice(0, cut) : request.target;
    const method = cut > 0 ? request.target.slice(cut + 1) : "";
    const plaintext = endpoint.startsWith("http://");
    const host = endpoint.replace(/^[a-z]+:\/\//, "");
    const parts = ["grpcurl"];
    if (plaintext) parts.push("-plaintext");
    for (const [k, v] of request.headers) parts.push("-H", shellQuote(`${k}: ${v}`));
    if (body !== null) parts.push("-d", shellQuote(body));
    parts.push(shellQuote(host), shellQuote(method));
    return parts.join(" ");
  }
  const parts = ["curl"];
  if (request.method !== "GET") parts.push("-X", request.method);
  parts.push(shellQuote(request.target));
  const hasType = request.headers.some(([k]) => k.toLowerCase() === "content-type");
  for (const [k, v] of request.headers) parts.push("-H", shellQuote(`${k}: ${v}`));
  if (body !== null) {
    if (!hasType) parts.push("-H", shellQuote("content-type: application/json"));
    parts.push("--data-raw", shellQuote(body));
  }
  return parts.join(" ");
}

/** 1234 -> "1.2 KB"; bytes below a kilobyte as they are. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
