// One raw call to one operation, as an API client's Send. The request side has tabs: the
// operation's inputs in a table per place (path, query, headers, body; message fields;
// variables), headers of the call's own, credentials (bearer, basic, API key), and for REST
// the body in a JSON editor (starting from the operation's template). Values may use
// `{{env.X}}` and `{{secret.X}}`: filled in when sending, masked in what is shown. Required
// inputs, header names and the body are checked before anything is sent (a problem is shown
// where it is, and no call is made). The response side: status, time and size, the body, the
// answer's headers, the request as sent, and the request as a cURL (or grpcurl) command.
// What was typed in the tabs is kept per workspace and operation in the page's storage, across
// launches, except secrets typed in clear (a token, a password, an `authorization` header's
// value): those last while the app runs; `{{secret.NAME}}` references are kept.
import { Suspense, lazy, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { AuthView, CallView, OperationView, SourceView } from "../bindings";
import type { WorkspaceDoc } from "../designer/types";
import { own } from "../designer/doc";
import { api, errorMessage } from "../api";
import { inputValues } from "./inputs";
import {
  PLACE_LABEL,
  bodyTemplateText,
  formatBytes,
  groupByPlace,
  headerProblems,
  headersToSend,
  resolvedAddress,
  inputPlaces,
  jsonProblem,
  missingRequired,
  requestCommand,
  loadDrafts,
  saveDrafts,
  withBlankRow,
  withoutBlankRows,
  type HeaderRow,
  type SendDraft,
} from "./request";
import { RequestBlock, ResponseBlock } from "../components/CallDetail";
import { formatMs } from "../result/waterfall";
import { useDark } from "../useDark";

const JsonEditor = lazy(() => import("../editor/JsonEditor"));

type View = "response" | "headers" | "request" | "curl";
type Tab = "inputs" | "headers" | "auth" | "body";

/** What was typed in the request tabs of one operation. */
type Extras = SendDraft;

const NO_EXTRAS: Extras = { headers: [], auth: { kind: "none" }, body: null };

/** Per workspace, per `source/operation`: read from the page's storage once, kept there on
 * every change (secrets typed in clear left out, see `keptDraft`). */
const kept = new Map<number, Map<string, Extras>>();
function draftsOf(workspaceId: number): Map<string, Extras> {
  let d = kept.get(workspaceId);
  if (!d) {
    d = loadDrafts(workspaceId);
    kept.set(workspaceId, d);
  }
  return d;
}

const AUTH_LABEL: Record<AuthView["kind"], string> = {
  none: "No auth",
  bearer: "Bearer token",
  basic: "Basic auth",
  apiKey: "API key header",
};

function emptyAuth(kind: AuthView["kind"]): AuthView {
  switch (kind) {
    case "bearer":
      return { kind, token: "" };
    case "basic":
      return { kind, username: "", password: "" };
    case "apiKey":
      return { kind, header: "x-api-key", value: "" };
    default:
      return { kind: "none" };
  }
}

interface Props {
  /** The open workspace (what was typed is kept per workspace). */
  workspaceId: number;
  source: SourceView;
  operation: OperationView;
  doc: WorkspaceDoc | null;
  /** Rename/delete controls of the operation, drawn in the header. */
  actions?: ReactNode;
  /** The active environment (its plain variables fill the address shown). */
  environment?: string | null;
}

export function OperationSender({ workspaceId, source, operation, doc, actions, environment = null }: Props) {
  const dark = useDark();
  const key = `${source.name}/${operation.name}`;
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const [call, setCall] = useState<CallView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [view, setView] = useState<View>("response");
  const [tab, setTab] = useState<Tab>("inputs");
  const [extras, setExtrasState] = useState<Extras>(() => draftsOf(workspaceId).get(key) ?? NO_EXTRAS);
  const [problems, setProblems] = useState<string[]>([]);
  const [copied, setCopied] = useState<string | null>(null);
  // What the shown response was sent with: an edit since then marks it as stale.
  const [sentWith, setSentWith] = useState("");
  const requestNow = JSON.stringify([texts, extras]);
  useEffect(() => {
    setTexts({});
    setMissing([]);
    setCall(null);
    setError(null);
    setCopied(null);
    setProblems([]);
    setTab("inputs");
    setExtrasState(draftsOf(workspaceId).get(key) ?? NO_EXTRAS);
  }, [key, workspaceId]);
  const setExtras = (change: (e: Extras) => Extras) =>
    setExtrasState((e) => {
      const next = change(e);
      const drafts = draftsOf(workspaceId);
      drafts.set(key, next);
      saveDrafts(workspaceId, drafts);
      return next;
    });

  const sourceDoc = doc ? own(doc.sources, source.name) : undefined;
  const isRest = source.kind === "rest";
  const template = useMemo(() => bodyTemplateText(sourceDoc, operation.name), [sourceDoc, operation.name]);
  const bodyText = extras.body ?? template;
  const bodyEdited = extras.body !== null && extras.body !== template;
  const headerRows = withBlankRow(extras.headers);
  const headerCount = headersToSend(extras.headers).length;

  const places = useMemo(
    () => inputPlaces(doc ? own(doc.sources, source.name) : undefined, operation.name, operation.inputs),
    [doc, source.name, operation.name, operation.inputs],
  );
  const groups = groupByPlace(operation.inputs, places);

  const send = () => {
    // An input of the body that an edited body no longer names is not sent, so not needed.
    const needed = operation.inputs.filter(
      (i) => !bodyEdited || places.get(i.name) !== "body" || bodyText.includes(`{${i.name}}`),
    );
    const empty = missingRequired(needed, texts);
    setMissing(empty);
    if (empty.length > 0) {
      setTab("inputs");
      setTimeout(() => document.querySelector<HTMLInputElement>(`[data-testid="send-input-${empty[0]}"]`)?.focus(), 0);
      return;
    }
    const found = headerProblems(extras.headers).map((p) => `Headers: ${p}`);
    const body = bodyEdited ? jsonProblem(bodyText) : null;
    if (body) found.push(`Body: ${body}.`);
    setProblems(found);
    if (found.length > 0) {
      setTab(found[0]!.startsWith("Body") ? "body" : "headers");
      return;
    }
    setBusy(true);
    setError(null);
    setCopied(null);
    setSentWith(requestNow);
    const options = { headers: headersToSend(extras.headers), auth: extras.auth, body: bodyEdited ? bodyText : null };
    api.operationSend(source.name, operation.name, inputValues(operation.inputs, texts), options).then(
      (c) => {
        setBusy(false);
        setCall(c);
      },
      (e) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };

  const command = call ? requestCommand(call.request) : "";
  const copy = () => {
    const done = () => setCopied("Copied to the clipboard.");
    const failed = () => setCopied("The clipboard is not available: select the command and copy it.");
    if (navigator.clipboard) navigator.clipboard.writeText(command).then(done, failed);
    else failed();
  };

  return (
    <div className="stack sender" data-testid="operation-sender">
      <div className="row wrap">
        <h2 className="grow sender-title">
          {source.name} · {operation.name}
        </h2>
        {actions}
      </div>
      <form
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
        onKeyDown={(e) => {
          // Ctrl+Enter sends from anywhere in the request (an editor that takes the key
          // for itself has already handled it).
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.defaultPrevented) {
            e.preventDefault();
            send();
          }
        }}
      >
        <div className="row send-bar">
          <RequestLine source={source} operation={operation} environment={environment} texts={texts} />
          <button type="submit" className="primary" data-testid="send" disabled={busy} title="Send (Ctrl+Enter)">
            {busy ? "Sending…" : "Send"}
          </button>
        </div>
        <div className="tabs request-tabs" role="tablist" aria-label="Request">
          {(["inputs", "headers", "auth", ...(isRest ? ["body"] : [])] as Tab[]).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={tab === t ? "active" : ""}
              data-testid={`send-tab-${t}`}
              onClick={() => setTab(t)}
            >
              {t === "inputs"
                ? `Inputs${operation.inputs.length ? ` (${operation.inputs.length})` : ""}`
                : t === "headers"
                  ? `Headers${headerCount ? ` (${headerCount})` : ""}`
                  : t === "auth"
                    ? extras.auth.kind === "none"
                      ? "Auth"
                      : `Auth · ${AUTH_LABEL[extras.auth.kind]}`
                    : bodyEdited
                      ? "Body · edited"
                      : "Body"}
            </button>
          ))}
        </div>
        {tab === "headers" && (
          <HeadersTable rows={headerRows} onChange={(rows) => setExtras((e) => ({ ...e, headers: rows }))} />
        )}
        {tab === "auth" && <AuthForm auth={extras.auth} onChange={(auth) => setExtras((e) => ({ ...e, auth }))} />}
        {tab === "body" && isRest && (
          <div className="stack" data-testid="send-body-panel">
            <div className="row wrap">
              <span className="muted grow">
                {bodyEdited
                  ? "Sent in place of the operation's body. {input} and {{env.X}} are filled in as in the template."
                  : template
                    ? "The operation's body template. Edit it to send a body of your own."
                    : "This operation sends no body. Type JSON to send one."}
              </span>
              {bodyEdited && (
                <button type="button" data-testid="send-body-reset" onClick={() => setExtras((e) => ({ ...e, body: null }))}>
                  Reset to the operation's body
                </button>
              )}
            </div>
            <Suspense fallback={<div className="muted">Loading the editor…</div>}>
              <JsonEditor
                value={bodyText}
                dark={dark}
                label="Request body (JSON)"
                testId="send-body"
                onChange={(text) => setExtras((e) => ({ ...e, body: text }))}
              />
            </Suspense>
          </div>
        )}
        {tab === "inputs" && operation.inputs.length === 0 && <div className="muted">This operation takes no input.</div>}
        {tab === "inputs" && groups.map(([place, inputs]) => (
          <fieldset key={place} className="params" data-testid={`send-group-${place}`}>
            <legend>{PLACE_LABEL[place]}</legend>
            <table className="grid params-table">
              <tbody>
                {inputs.map((i) => {
                  const isMissing = missing.includes(i.name);
                  return (
                    <tr key={i.name}>
                      <th scope="row" className="mono">
                        {i.name}
                        {i.required && <span className="err" title="required"> *</span>}
                      </th>
                      <td className="mono muted type-cell">{i.type}</td>
                      <td className="value-cell">
                        <input
                          data-testid={`send-input-${i.name}`}
                          aria-label={`${i.name} (${i.type})`}
                          aria-invalid={isMissing}
                          className={isMissing ? "invalid" : undefined}
                          placeholder={i.required ? "required" : "optional"}
                          value={texts[i.name] ?? ""}
                          onChange={(e) => {
                            const value = e.target.value;
                            setTexts((t) => ({ ...t, [i.name]: value }));
                            if (value.trim() !== "") setMissing((m) => m.filter((n) => n !== i.name));
                          }}
                        />
                        {isMissing && (
                          <div className="err field-error" role="alert" data-testid={`send-missing-${i.name}`}>
                            {i.name} is required: nothing was sent.
                          </div>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </fieldset>
        ))}
      </form>
      {problems.length > 0 && (
        <div className="err" role="alert" data-testid="send-problems">
          {problems.map((p) => (
            <div key={p}>{p} Nothing was sent.</div>
          ))}
        </div>
      )}
      {error && (
        <div className="err" role="alert">
          {error}
        </div>
      )}
      {call && (
        <div className="stack">
          <div className="row wrap response-head">
            <div className="tabs" role="tablist" aria-label="Response">
              {(["response", "headers", "request", "curl"] as View[]).map((v) => (
                <button
                  key={v}
                  role="tab"
                  aria-selected={view === v}
                  className={view === v ? "active" : ""}
                  data-testid={`send-view-${v}`}
                  onClick={() => setView(v)}
                >
                  {v === "response"
                    ? "Response"
                    : v === "headers"
                      ? `Headers (${call.responseHeaders.length})`
                      : v === "request"
                        ? "Request"
                        : call.request.method.toLowerCase() === "grpc"
                          ? "grpcurl"
                          : "cURL"}
                </button>
              ))}
            </div>
            <span className="grow" />
            <span className="row wrap response-figures">
              {requestNow !== sentWith && (
                <span className="tag stale" data-testid="send-stale" title="The request was edited after this response came: send again to see the new answer">
                  edited since sent
                </span>
              )}
              <span className={`status-pill ${call.error ? "err" : "ok"}`} data-testid="send-status">
                {call.status ?? "no status"}
              </span>
              <span className="muted" data-testid="send-time" title="Time from sending to the whole answer">
                {formatMs(call.durationMs)}
              </span>
              <span className="muted" data-testid="send-size" title="Size of the response body">
                {formatBytes(call.bytes)}
              </span>
            </span>
          </div>
          {view === "response" ? (
            <ResponseBlock status={call.status} response={call.response} error={call.error} category={call.category} />
          ) : view === "headers" ? (
            call.responseHeaders.length === 0 ? (
              <div className="muted">No headers came with the answer.</div>
            ) : (
              <table className="grid params-table" data-testid="send-response-headers">
                <tbody>
                  {call.responseHeaders.map(([k, v], i) => (
                    <tr key={`${k}-${i}`}>
                      <th scope="row" className="mono">
                        {k}
                      </th>
                      <td className="mono wrap-anywhere">{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          ) : view === "request" ? (
            <RequestBlock request={call.request} />
          ) : (
            <div className="stack">
              <pre className="code-box" data-testid="send-command">
                {command}
              </pre>
              <div className="row">
                <button data-testid="copy-command" onClick={copy}>
                  Copy
                </button>
                {copied && <span className="muted" role="status">{copied}</span>}
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** The active environment's plain variables (secrets are never in the page). */
function useEnvironmentVars(environment: string | null): ReadonlyMap<string, string> {
  const [vars, setVars] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let current = true;
    if (!environment) {
      setVars(new Map());
      return;
    }
    api.environmentList().then(
      (envs) => {
        if (!current) return;
        const env = envs.find((e) => e.name === environment);
        setVars(new Map((env?.variables ?? []).filter((v) => !v.secret).map((v) => [v.name, v.value])));
      },
      () => {
        if (current) setVars(new Map());
      },
    );
    return () => {
      current = false;
    };
  }, [environment]);
  return vars;
}

/** Where the call goes, as a sentence of text (not a field to type in): for REST the method, the
 * source's base address as written and the path, and under it the address it stands for in the
 * active environment, path inputs filled in as typed. */
function RequestLine({
  source,
  operation,
  environment,
  texts,
}: {
  source: Props["source"];
  operation: Props["operation"];
  environment: string | null;
  texts: Record<string, string>;
}) {
  const vars = useEnvironmentVars(environment);
  const rest = source.kind === "rest" ? /^([A-Z]+)\s+(.*)$/.exec(operation.summary) : null;
  const resolved = rest ? resolvedAddress(source.target, rest[2] ?? "", vars, texts) : null;
  return (
    <div className="request-line mono grow" data-testid="send-summary" title={rest ? undefined : operation.summary}>
      {rest ? (
        <>
          <span className="request-template">
            <strong>{rest[1]}</strong>
            <span>
              <span className="muted">{source.target}</span>
              {rest[2]}
            </span>
          </span>
          {resolved && (
            <span className="request-resolved muted" data-testid="send-resolved" title={`The address in the environment "${environment}"; {{secret.X}} and query parameters are filled in when sending`}>
              → {resolved}
            </span>
          )}
        </>
      ) : (
        operation.summary
      )}
    </div>
  );
}

/** The call's own headers: name and value per row, each with a box to switch it off without
 * losing it, and a blank row at the end to add one. */
function HeadersTable({ rows, onChange }: { rows: HeaderRow[]; onChange: (rows: HeaderRow[]) => void }) {
  const set = (i: number, cell: 0 | 1, text: string) =>
    onChange(withoutBlankRows(rows.map((r, j): HeaderRow => (j === i ? (cell === 0 ? [text, r[1], r[2]] : [r[0], text, r[2]]) : r))));
  const toggle = (i: number) =>
    onChange(withoutBlankRows(rows.map((r, j): HeaderRow => (j === i ? (r[2] ? [r[0], r[1]] : [r[0], r[1], true]) : r))));
  return (
    <fieldset className="params" data-testid="send-headers">
      <legend>Headers of this call</legend>
      <table className="grid params-table">
        <tbody>
          {rows.map(([name, value, off], i) => (
            <tr key={i} className={off ? "header-off" : ""}>
              <td className="header-on-cell">
                {(name !== "" || value !== "") && (
                  <input
                    type="checkbox"
                    data-testid={`send-header-on-${i}`}
                    aria-label={`Send header ${name || i + 1}`}
                    title={off ? "Switched off: kept here, not sent" : "Sent with the call"}
                    checked={!off}
                    onChange={() => toggle(i)}
                  />
                )}
              </td>
              <td className="header-name-cell">
                <input
                  className="mono"
                  data-testid={`send-header-name-${i}`}
                  aria-label={`Header ${i + 1} name`}
                  placeholder="name"
                  value={name}
                  onChange={(e) => set(i, 0, e.target.value)}
                />
              </td>
              <td className="value-cell">
                <input
                  className="mono"
                  data-testid={`send-header-value-${i}`}
                  aria-label={`Header ${i + 1} value`}
                  placeholder="value, {{env.X}} or {{secret.X}}"
                  value={value}
                  onChange={(e) => set(i, 1, e.target.value)}
                />
              </td>
              <td className="remove-cell">
                {(name !== "" || value !== "") && (
                  <button
                    type="button"
                    className="icon-button"
                    data-testid={`send-header-remove-${i}`}
                    aria-label={`Remove header ${name || i + 1}`}
                    title="Remove"
                    onClick={() => onChange(withoutBlankRows(rows.filter((_, j) => j !== i)))}
                  >
                    ×
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="muted hint">Sent after the source's own headers. Secrets stay masked in what Knot shows.</div>
    </fieldset>
  );
}

/** Credentials: none, a bearer token, basic auth, or an API key header. Secret values are
 * hidden until shown; what was typed for one kind comes back when it is picked again. */
function AuthForm({ auth, onChange }: { auth: AuthView; onChange: (auth: AuthView) => void }) {
  const [shown, setShown] = useState(false);
  const others = useRef(new Map<AuthView["kind"], AuthView>());
  const field = (label: string, testId: string, value: string, set: (v: string) => void, placeholder: string, secret = false) => (
    <label className="auth-field">
      <span>{label}</span>
      <span className="row auth-value">
        <input
          className="mono grow"
          type={secret && !shown ? "password" : "text"}
          autoComplete="off"
          data-testid={testId}
          value={value}
          placeholder={placeholder}
          onChange={(e) => set(e.target.value)}
        />
        {secret && (
          <button type="button" className="ghost" data-testid={`${testId}-show`} onClick={() => setShown((v) => !v)}>
            {shown ? "Hide" : "Show"}
          </button>
        )}
      </span>
    </label>
  );
  const pick = (kind: AuthView["kind"]) => {
    others.current.set(auth.kind, auth);
    onChange(others.current.get(kind) ?? emptyAuth(kind));
  };
  return (
    <fieldset className="params" data-testid="send-auth">
      <legend>Credentials</legend>
      <div className="stack">
        <label className="auth-field">
          <span>Type</span>
          <select
            data-testid="send-auth-kind"
            value={auth.kind}
            onChange={(e) => pick(e.target.value as AuthView["kind"])}
          >
            {(Object.keys(AUTH_LABEL) as AuthView["kind"][]).map((k) => (
              <option key={k} value={k}>
                {AUTH_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        {auth.kind === "bearer" &&
          field("Token", "send-auth-token", auth.token, (token) => onChange({ ...auth, token }), "{{secret.TOKEN}}", true)}
        {auth.kind === "basic" && (
          <>
            {field("Username", "send-auth-username", auth.username, (username) => onChange({ ...auth, username }), "{{env.USER}}")}
            {field("Password", "send-auth-password", auth.password, (password) => onChange({ ...auth, password }), "{{secret.PASSWORD}}", true)}
          </>
        )}
        {auth.kind === "apiKey" && (
          <>
            {field("Header", "send-auth-header", auth.header, (header) => onChange({ ...auth, header }), "x-api-key")}
            {field("Value", "send-auth-value", auth.value, (value) => onChange({ ...auth, value }), "{{secret.API_KEY}}", true)}
          </>
        )}
        <div className="muted hint">
          {auth.kind === "none"
            ? "Only the source's own headers are sent."
            : "Use {{env.NAME}} or {{secret.NAME}} from the active environment: filled in when sending, masked in what Knot shows and records. A value typed in clear is forgotten when the app closes; a reference is kept."}
        </div>
      </div>
    </fieldset>
  );
}
