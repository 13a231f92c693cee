// One saved operation the three ways `knot serve` exposes it, side by side: the GraphQL request,
// the REST composite endpoint and the gRPC method, each with the command a caller pastes into a
// shell (copy as cURL, copy as grpcurl). An operation not yet served one way can be from here:
// a REST path, or "Serve over gRPC". The commands come from the app's core (`operation_calls`,
// the same rules as `knot export openapi` and `knot export proto`), never rebuilt here.
import { useEffect, useState } from "react";
import type { OperationCallsView, WorkspaceView } from "../bindings";
import { api, errorMessage } from "../api";
import { asWorkspaceDoc, type HttpMethod } from "../designer/types";
import type { EditResult } from "../designer/doc";
import { exposeGrpc, exposeRest } from "../designer/savedOps";
import { Modal } from "../components/Modal";

interface Props {
  workspace: WorkspaceView;
  name: string;
  /** The variables of the tab it was opened from (JSON text), or null for examples. */
  variables: string | null;
  onWorkspace: (w: WorkspaceView) => void;
  onClose: () => void;
}

const METHODS: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function parsedVariables(text: string | null): Record<string, unknown> | null {
  if (!text || text.trim() === "") return null;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function CopyButton({ text, label, testId }: { text: string; label: string; testId: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const t = window.setTimeout(() => setState("idle"), 2500);
    return () => window.clearTimeout(t);
  }, [state]);
  const copy = () => {
    if (!navigator.clipboard) {
      setState("failed");
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <span className="row copy-row">
      <button className="primary" data-testid={testId} onClick={copy}>
        {label}
      </button>
      {state === "copied" && (
        <span className="ok" role="status">
          Copied.
        </span>
      )}
      {state === "failed" && (
        <span className="err" role="alert">
          No clipboard here: select the command and copy it.
        </span>
      )}
    </span>
  );
}

function Command({ text, testId }: { text: string; testId: string }) {
  return (
    <pre className="code-box mono command" data-testid={testId}>
      {text}
    </pre>
  );
}

export function OperationCalls({ workspace, name, variables, onWorkspace, onClose }: Props) {
  const [calls, setCalls] = useState<OperationCallsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editError, setEditError] = useState<string | null>(null);
  const [method, setMethod] = useState<HttpMethod>("GET");
  const [path, setPath] = useState("");
  const given = parsedVariables(variables);
  const givenKey = JSON.stringify(given);

  useEffect(() => {
    let live = true;
    setError(null);
    api.operationCalls(name, given).then(
      (c) => live && setCalls(c),
      (e) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
    // `given` is compared by its JSON; the workspace's document changes when an endpoint is added.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, givenKey, workspace.document]);

  useEffect(() => {
    if (calls && !calls.rest) setMethod(calls.mutation ? "POST" : "GET");
  }, [calls]);

  const apply = async (edit: (doc: NonNullable<ReturnType<typeof asWorkspaceDoc>>) => EditResult) => {
    const doc = asWorkspaceDoc(workspace.document);
    if (!doc) {
      setEditError("The workspace document cannot be edited here");
      return;
    }
    const r = edit(doc);
    if (r.error) {
      setEditError(r.error);
      return;
    }
    setEditError(null);
    try {
      onWorkspace(await api.workspaceUpdate(r.doc));
    } catch (e) {
      setEditError(errorMessage(e));
    }
  };

  return (
    <Modal title={`${name}: how callers reach it`} onClose={onClose} wide testId="operation-calls">
      {error && (
        <div className="err" role="alert">
          {error}
        </div>
      )}
      {editError && (
        <div className="err" role="alert" data-testid="calls-edit-error">
          {editError}
        </div>
      )}
      {calls && (
        <>
          <div className="calls-serve">
            <span className="muted">Start the gateway on this workspace:</span>
            <code className="mono" data-testid="calls-serve">
              {calls.serve}
            </code>
            {calls.examples.length > 0 && (
              <span className="muted" data-testid="calls-examples">
                Example values for {calls.examples.map((v) => `$${v}`).join(", ")}
                {variables !== null ? " (not set in this tab's variables)" : " (open the operation in a tab and set its variables to use your own)"}.
              </span>
            )}
          </div>
          <div className="calls-grid">
            <section className="call-card" aria-label="GraphQL" data-testid="calls-graphql">
              <h3>GraphQL</h3>
              <div className="request-line mono">POST /graphql</div>
              <pre className="code-box mono document">{String((calls.graphql.body as { query?: string }).query ?? "")}</pre>
              <Command text={calls.graphql.curl} testId="calls-graphql-curl" />
              <CopyButton text={calls.graphql.curl} label="Copy as cURL" testId="copy-graphql-curl" />
            </section>
            <section className="call-card" aria-label="REST" data-testid="calls-rest">
              <h3>REST</h3>
              {calls.rest ? (
                <>
                  <div className="request-line mono" data-testid="calls-rest-endpoint">
                    {calls.rest.method} {calls.rest.path}
                  </div>
                  <Command text={calls.rest.curl} testId="calls-rest-curl" />
                  <CopyButton text={calls.rest.curl} label="Copy as cURL" testId="copy-rest-curl" />
                </>
              ) : (
                <form
                  className="stack"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void apply((d) => exposeRest(d, name, method, path));
                  }}
                >
                  <p className="muted">Not a REST endpoint yet. Give it a path; <code>{"{variable}"}</code> segments take the operation's variables.</p>
                  <div className="row">
                    <select aria-label="Method" data-testid="calls-rest-method" value={method} onChange={(e) => setMethod(e.target.value as HttpMethod)}>
                      {METHODS.map((m) => (
                        <option key={m}>{m}</option>
                      ))}
                    </select>
                    <input
                      className="grow mono"
                      aria-label="Path"
                      data-testid="calls-rest-path"
                      placeholder="/orders/{id}"
                      value={path}
                      onChange={(e) => setPath(e.target.value)}
                    />
                    <button type="submit" data-testid="calls-rest-add" disabled={path.trim() === ""}>
                      Add endpoint
                    </button>
                  </div>
                </form>
              )}
            </section>
            <section className="call-card" aria-label="gRPC" data-testid="calls-grpc">
              <h3>gRPC</h3>
              {calls.grpc ? (
                <>
                  <div className="request-line mono" data-testid="calls-grpc-method">
                    {calls.grpc.service}/{calls.grpc.method}
                  </div>
                  <pre className="code-box mono document" data-testid="calls-grpc-messages">
                    {calls.grpc.messages}
                  </pre>
                  <Command text={calls.grpc.grpcurl} testId="calls-grpcurl" />
                  <CopyButton text={calls.grpc.grpcurl} label="Copy as grpcurl" testId="copy-grpcurl" />
                </>
              ) : (
                <div className="stack">
                  <p className="muted">Not a gRPC method yet. Served, it becomes a method of the workspace's one gRPC service, found by server reflection.</p>
                  <div>
                    <button data-testid="calls-grpc-add" onClick={() => void apply((d) => exposeGrpc(d, name))}>
                      Serve over gRPC
                    </button>
                  </div>
                </div>
              )}
            </section>
          </div>
        </>
      )}
    </Modal>
  );
}
