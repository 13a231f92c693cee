// The Send request builder's pure parts: where each input of an operation goes (path, query,
// header, body for REST; message fields for gRPC; variables for GraphQL), which required inputs
// are still empty (nothing is sent then), a sent request as a cURL or grpcurl command, and sizes.
import type { AuthView, InputView, RequestView } from "../bindings";
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

/**
 * Where a REST call goes, as far as the page can tell before sending: the source's base address
 * with its `{{env.NAME}}` references filled in from the active environment's plain variables,
 * then the path with the path inputs typed so far (`{id}` stays while empty). Null when the
 * address names a variable the page does not know (a secret, or one not set), so nothing
 * half-filled is shown.
 */
export function resolvedAddress(
  base: string,
  path: string,
  vars: ReadonlyMap<string, string>,
  inputs: Readonly<Record<string, string>>,
): string | null {
  let unknown = false;
  const address = base.replace(/\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const v = vars.get(name);
    if (v === undefined) unknown = true;
    return v ?? "";
  });
  if (unknown || /\{\{/.test(address)) return null;
  const filled = path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const v = inputs[name];
    return v !== undefined && v !== "" ? encodeURIComponent(v) : whole;
  });
  return `${address.replace(/\/+$/, "")}${filled.startsWith("/") ? filled : `/${filled}`}`;
}

/** A header row of Send's table: name and value (a template: `{{env.X}}`, `{{secret.X}}`), and
 * `true` when it is switched off (kept in the table, not sent), as in Postman's checkboxes. */
export type HeaderRow = [name: string, value: string, off?: boolean];

/** The rows as sent: rows switched off and blank rows (neither name nor value) dropped, names
 * trimmed. */
export function headersToSend(rows: readonly HeaderRow[]): [string, string][] {
  return rows.filter(([k, v, off]) => !off && (k.trim() !== "" || v.trim() !== "")).map(([k, v]) => [k.trim(), v]);
}

/** The table as edited: always one blank row at the end to type a new header into. */
export function withBlankRow(rows: readonly HeaderRow[]): HeaderRow[] {
  const last = rows[rows.length - 1];
  return last && last[0] === "" && last[1] === "" ? [...rows] : [...rows, ["", ""]];
}

/** The rows as edited, without the blank ones (the table adds its own). */
export function withoutBlankRows(rows: readonly HeaderRow[]): HeaderRow[] {
  return rows.filter(([k, v]) => k !== "" || v !== "");
}

/** Problems of a header table to show before sending (a value with no name, a repeated name). */
export function headerProblems(rows: readonly HeaderRow[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const [k, v] of headersToSend(rows)) {
    if (k === "") out.push(`The header with the value "${v}" has no name.`);
    else if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) out.push(`"${k}" is not a valid header name.`);
    else if (seen.has(k.toLowerCase())) out.push(`"${k}" is set twice.`);
    seen.add(k.toLowerCase());
  }
  return out;
}

/** The operation's own body template as JSON text to edit (empty when it has none). */
export function bodyTemplateText(source: Source | undefined, op: string): string {
  if (!source || source.kind !== "rest") return "";
  const body = own(source.operations, op)?.body;
  return body === undefined || body === null ? "" : JSON.stringify(body, null, 2);
}

/**
 * The offset where a JSON text stops being JSON, with what was expected there; null when it
 * is JSON. (Engines word and place `JSON.parse` errors differently, WebKit without a position.)
 */
export function jsonErrorAt(text: string): { at: number; expected: string } | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (expected: string) => {
    throw { at: i, expected };
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail("a value");
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("four hex digits after \\u");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail("an escape (\\n, \\\", …)");
      } else if (text.charCodeAt(i) < 0x20) fail('a closing "');
      i++;
    }
    if (i >= text.length) fail('a closing "');
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("a quoted key");
        string();
        ws();
        if (text[i] !== ":") fail('":"');
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return;
        } else fail('"," or "}"');
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return;
        } else fail('"," or "]"');
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
      if (!m || m[0] === "" || m[0] === "-") fail("a value");
      else i += m[0].length;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail("the end of the text");
    return null;
  } catch (e) {
    return e as { at: number; expected: string };
  }
}

/** Where a JSON text breaks, in words ("line 2, column 8: expected a value"); null when it is JSON or blank. */
export function jsonProblem(text: string): string | null {
  if (text.trim() === "") return null;
  const err = jsonErrorAt(text);
  if (!err) return null;
  const before = text.slice(0, err.at);
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `line ${line}, column ${column}: expected ${err.expected}`;
}

/** What was typed in Send's tabs for one operation. */
export interface SendDraft {
  headers: HeaderRow[];
  auth: AuthView;
  /** The body as edited; null while it is the operation's own. */
  body: string | null;
}

/** Only `{{env.X}}` / `{{secret.X}}` references (and spaces): nothing secret typed in clear. */
function onlyReferences(value: string): boolean {
  return /^\s*(\{\{\s*(env|secret)\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}\s*)*$/.test(value);
}

/** Header names whose values are credentials. */
function sensitiveHeader(name: string): boolean {
  return /^(authorization|proxy-authorization|cookie)$|token|secret|api[-_]?key|password/i.test(name.trim());
}

/**
 * What of a draft is kept across launches (in the page's storage, like the query tabs):
 * headers and the body as typed, credentials only as references. A secret typed in clear (a
 * token, a password, the value of an `authorization` header) is dropped; `{{secret.NAME}}`
 * keeps it in the OS keyring instead.
 */
export function keptDraft(d: SendDraft): SendDraft {
  const keep = (v: string) => (onlyReferences(v) ? v : "");
  const auth: AuthView =
    d.auth.kind === "bearer"
      ? { kind: "bearer", token: keep(d.auth.token) }
      : d.auth.kind === "basic"
        ? { kind: "basic", username: d.auth.username, password: keep(d.auth.password) }
        : d.auth.kind === "apiKey"
          ? { kind: "apiKey", header: d.auth.header, value: keep(d.auth.value) }
          : { kind: "none" };
  const headers = withoutBlankRows(
    d.headers.map(([k, v, off]): HeaderRow => (off ? [k, sensitiveHeader(k) ? keep(v) : v, true] : [k, sensitiveHeader(k) ? keep(v) : v])),
  );
  return { headers, auth, body: d.body };
}

/** A stored draft read back; null when it is missing or not one. */
export function parseDraft(value: unknown): SendDraft | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const text = (x: unknown) => (typeof x === "string" ? x : "");
  const headers = Array.isArray(v.headers)
    ? v.headers
        .filter((h): h is unknown[] => Array.isArray(h) && (h.length === 2 || h.length === 3))
        .map(([k, x, off]): HeaderRow => (off === true ? [text(k), text(x), true] : [text(k), text(x)]))
    : [];
  const a = (typeof v.auth === "object" && v.auth !== null ? v.auth : {}) as Record<string, unknown>;
  const auth: AuthView =
    a.kind === "bearer"
      ? { kind: "bearer", token: text(a.token) }
      : a.kind === "basic"
        ? { kind: "basic", username: text(a.username), password: text(a.password) }
        : a.kind === "apiKey"
          ? { kind: "apiKey", header: text(a.header), value: text(a.value) }
          : { kind: "none" };
  return { headers, auth, body: typeof v.body === "string" ? v.body : null };
}

const draftsKey = (workspaceId: number) => `knot.send.${workspaceId}`;

/** The workspace's kept drafts by `source/operation`. */
export function loadDrafts(workspaceId: number): Map<string, SendDraft> {
  const out = new Map<string, SendDraft>();
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(draftsKey(workspaceId)) ?? "{}");
    if (typeof raw === "object" && raw !== null) {
      for (const [k, v] of Object.entries(raw)) {
        const d = parseDraft(v);
        if (d) out.set(k, d);
      }
    }
  } catch {
    // Unreadable: start afresh.
  }
  return out;
}

/** Keeps the workspace's drafts (secrets typed in clear left out, see `keptDraft`). */
export function saveDrafts(workspaceId: number, drafts: Map<string, SendDraft>): void {
  try {
    const out: Record<string, SendDraft> = {};
    for (const [k, d] of drafts) out[k] = keptDraft(d);
    localStorage.setItem(draftsKey(workspaceId), JSON.stringify(out));
  } catch {
    // Not kept this time (storage refused); the drafts stay for this session.
  }
}
