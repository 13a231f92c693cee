// Editing a source or one of its operations on the Services screen: rename (bindings that call
// it are rewritten in the same save), change a source's address, delete. Before a delete the
// bindings it would break are listed, with the choice to unbind them in the same save or to
// keep everything. Edits go through the pure functions of designer/sources.ts and are saved as
// one workspace update, so what is drawn is what is saved.
import { useEffect, useState } from "react";
import type { SourceView, WorkspaceView } from "../bindings";
import type { EditResult } from "../designer/doc";
import type { HttpMethod, WorkspaceDoc } from "../designer/types";
import { bindingsTo, removeOperation, removeSource, renameOperation, renameSource, setRestRequest, setSourceAddress, type BindingRef } from "../designer/sources";
import { api, errorMessage } from "../api";

type Save = (result: EditResult, done: string) => Promise<boolean>;

/** Saves an edit's document; false (with the reason shown) when it was refused or failed. */
export function useSave(onWorkspace: (w: WorkspaceView) => void, setMessage: (m: { text: string; error: boolean } | null) => void): Save {
  return async (result, done) => {
    if (result.error) {
      setMessage({ text: result.error, error: true });
      return false;
    }
    try {
      const view = await api.workspaceUpdate(result.doc);
      onWorkspace(view);
      const warnings = result.warnings ?? [];
      setMessage({ text: warnings.length > 0 ? `${done} ${warnings.join("; ")}.` : done, error: false });
      return true;
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
      return false;
    }
  };
}

function DeleteConfirm({ what, refs, onDelete, onCancel }: { what: string; refs: BindingRef[]; onDelete: () => void; onCancel: () => void }) {
  return (
    <div className="confirm card" role="alertdialog" aria-label={`Delete ${what}`} data-testid="delete-confirm">
      {refs.length === 0 ? (
        <p>
          Delete <strong>{what}</strong>? No binding calls it.
        </p>
      ) : (
        <>
          <p>
            Deleting <strong>{what}</strong> breaks {refs.length === 1 ? "the binding of" : `the bindings of ${refs.length} fields:`}
          </p>
          <ul className="refs" data-testid="delete-breaks">
            {refs.map((r) => (
              <li key={`${r.type}.${r.field}.${r.target ?? ""}`} className="mono">
                {r.type}.{r.field}
                {r.target !== undefined && <span className="muted"> (aggregated write, target {r.target})</span>}{" "}
                <span className="muted">calls {r.operation}</span>
              </li>
            ))}
          </ul>
          <p className="muted">Those fields stay in the schema without a binding; the Designer and the Schema problems then ask for one.</p>
        </>
      )}
      <div className="row wrap">
        <button className="danger" data-testid="delete-confirm-yes" onClick={onDelete}>
          {refs.length === 0 ? "Delete" : `Delete and unbind ${refs.length === 1 ? "it" : `${refs.length} fields`}`}
        </button>
        <button onClick={onCancel} data-testid="delete-confirm-no">
          Cancel
        </button>
      </div>
    </div>
  );
}

/** A name with a Rename button that saves it (Enter saves, Esc puts the old name back). */
function RenameField({ testid, current, refs, onRename }: { testid: string; current: string; refs: BindingRef[]; onRename: (to: string) => void }) {
  const [text, setText] = useState(current);
  useEffect(() => setText(current), [current]);
  const changed = text.trim() !== current;
  return (
    <div className="stack tight">
      <div className="row">
        <input
          className="grow"
          data-testid={`${testid}-name`}
          aria-label="Name"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && changed) onRename(text.trim());
            if (e.key === "Escape") setText(current);
          }}
        />
        <button data-testid={`${testid}-rename`} disabled={!changed} onClick={() => onRename(text.trim())}>
          Rename
        </button>
      </div>
      {changed && refs.length > 0 && (
        <div className="muted" data-testid={`${testid}-rename-note`}>
          Also rewrites the binding{refs.length === 1 ? "" : "s"} of {refs.map((r) => `${r.type}.${r.field}`).join(", ")}.
        </div>
      )}
    </div>
  );
}

/** The source panel: name, address, operations count, delete. */
export function SourceEditor({ doc, source, save, onRenamed, onDeleted }: {
  doc: WorkspaceDoc;
  source: SourceView;
  save: Save;
  onRenamed: (to: string) => void;
  onDeleted: () => void;
}) {
  const [address, setAddress] = useState(source.target);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    setAddress(source.target);
    setConfirming(false);
  }, [source.name, source.target]);
  const refs = bindingsTo(doc, source.name);
  const addressLabel = source.kind === "grpc" ? "Endpoint" : source.kind === "rest" ? "Base URL" : "URL";
  return (
    <div className="stack source-editor" data-testid="source-editor">
      <div className="row">
        <h2 className="grow">Service {source.name}</h2>
        <span className="kind">{source.kind}</span>
      </div>
      <label>
        Name
        <RenameField
          testid="source"
          current={source.name}
          refs={refs}
          onRename={(to) => void save(renameSource(doc, source.name, to), `Renamed ${source.name} to ${to}.`).then((ok) => ok && onRenamed(to))}
        />
      </label>
      <label>
        {addressLabel}
        <div className="row">
          <input
            className="grow mono"
            data-testid="source-address"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            placeholder="{{env.NAME}} or http://host:port"
          />
          <button
            data-testid="source-address-save"
            disabled={address.trim() === source.target}
            onClick={() => void save(setSourceAddress(doc, source.name, address), `Saved the ${addressLabel.toLowerCase()} of ${source.name}.`)}
          >
            Save
          </button>
        </div>
      </label>
      <div className="muted">
        {source.operations.length} operation{source.operations.length === 1 ? "" : "s"}; {refs.length} binding{refs.length === 1 ? "" : "s"} call
        {refs.length === 1 ? "s" : ""} it. Pick an operation on the left to send a request.
      </div>
      {confirming ? (
        <DeleteConfirm
          what={source.name}
          refs={refs}
          onCancel={() => setConfirming(false)}
          onDelete={() => void save(removeSource(doc, source.name, true), `Deleted ${source.name}.`).then((ok) => ok && onDeleted())}
        />
      ) : (
        <div>
          <button className="danger" data-testid="source-delete" onClick={() => setConfirming(true)}>
            Delete service…
          </button>
        </div>
      )}
    </div>
  );
}

/** Rename and delete of one operation, drawn in the request builder's header. */
export function OperationActions({ doc, source, operation, save, onRenamed, onDeleted }: {
  doc: WorkspaceDoc;
  source: string;
  operation: string;
  save: Save;
  onRenamed: (to: string) => void;
  onDeleted: () => void;
}) {
  const [mode, setMode] = useState<"idle" | "rename" | "delete" | "request">("idle");
  useEffect(() => setMode("idle"), [source, operation]);
  const refs = bindingsTo(doc, source, operation);
  const src = doc.sources?.[source];
  const rest = src?.kind === "rest" ? (src.operations ?? {})[operation] : undefined;
  return (
    <>
      <div className="row">
        {rest && (
          <button data-testid="operation-request-open" className={mode === "request" ? "active" : ""} onClick={() => setMode(mode === "request" ? "idle" : "request")}>
            Edit request
          </button>
        )}
        <button data-testid="operation-rename-open" className={mode === "rename" ? "active" : ""} onClick={() => setMode(mode === "rename" ? "idle" : "rename")}>
          Rename
        </button>
        <button className="danger" data-testid="operation-delete" onClick={() => setMode(mode === "delete" ? "idle" : "delete")}>
          Delete…
        </button>
      </div>
      {mode === "rename" && (
        <div className="full-row">
          <RenameField
            testid="operation"
            current={operation}
            refs={refs}
            onRename={(to) => void save(renameOperation(doc, source, operation, to), `Renamed ${source}.${operation} to ${to}.`).then((ok) => ok && onRenamed(to))}
          />
        </div>
      )}
      {mode === "request" && rest && (
        <div className="full-row">
          <RequestLine
            method={rest.method}
            path={rest.path}
            onSave={(method, path) =>
              void save(setRestRequest(doc, source, operation, method, path), `${source}.${operation} now sends ${method} ${path.trim()}.`).then(
                (ok) => ok && setMode("idle"),
              )
            }
          />
        </div>
      )}
      {mode === "delete" && (
        <div className="full-row">
          <DeleteConfirm
            what={`${source}.${operation}`}
            refs={refs}
            onCancel={() => setMode("idle")}
            onDelete={() => void save(removeOperation(doc, source, operation, true), `Deleted ${source}.${operation}.`).then((ok) => ok && onDeleted())}
          />
        </div>
      )}
    </>
  );
}

const METHODS: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** A REST operation's method and path, edited in place. */
function RequestLine({ method, path, onSave }: { method: HttpMethod; path: string; onSave: (m: HttpMethod, p: string) => void }) {
  const [m, setM] = useState<HttpMethod>(method);
  const [p, setP] = useState(path);
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(m, p);
      }}
    >
      <select aria-label="Method" data-testid="operation-request-method" value={m} onChange={(e) => setM(e.target.value as HttpMethod)}>
        {METHODS.map((x) => (
          <option key={x}>{x}</option>
        ))}
      </select>
      <input className="grow mono" aria-label="Path" data-testid="operation-request-path" value={p} onChange={(e) => setP(e.target.value)} />
      <button type="submit" className="primary" data-testid="operation-request-save" disabled={m === method && p.trim() === path}>
        Save
      </button>
    </form>
  );
}

