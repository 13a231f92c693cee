// The Query screen's tab bar: one tab per open document (new, switch, close), and the
// workspace's saved operations: a list to open one (in its own tab) or rename it, and Save,
// which stores the active tab's document as a saved operation (a new name asked inline, or over
// the saved operation the tab came from).
import { useEffect, useRef, useState } from "react";
import type { WorkspaceView } from "../bindings";
import { api, errorMessage } from "../api";
import { asWorkspaceDoc } from "../designer/types";
import type { EditResult } from "../designer/doc";
import { renameSavedOperation, saveOperation } from "../designer/savedOps";
import { EMPTY_SESSION, type QuerySession } from "./session";
import { activeSession, tabTitle, unsavedWork, type Tabs } from "./tabs";
import { OperationCalls } from "./OperationCalls";

interface Props {
  workspace: WorkspaceView;
  tabs: Tabs;
  onActivate: (id: string) => void;
  onClose: (id: string) => void;
  onNew: () => void;
  /** Opens a document (a saved operation) in a tab of its own. */
  onOpen: (s: QuerySession) => void;
  /** Marks the active tab as saved under `name`. */
  onSaved: (name: string) => void;
  /** A saved operation was renamed: tabs opened from it follow. */
  onRenamed: (from: string, to: string) => void;
  onWorkspace: (w: WorkspaceView) => void;
}

export function QueryTabs({ workspace, tabs, onActivate, onClose, onNew, onOpen, onSaved, onRenamed, onWorkspace }: Props) {
  const [listOpen, setListOpen] = useState(false);
  const [naming, setNaming] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ from: string; to: string } | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  /** The tab whose closing waits for a yes: it holds unsaved work. */
  const [closing, setClosing] = useState<string | null>(null);
  /** The saved operation whose GraphQL, REST and gRPC calls are shown, with the tab's variables. */
  const [calls, setCalls] = useState<{ name: string; variables: string | null } | null>(null);
  const menu = useRef<HTMLDivElement>(null);
  const session = activeSession(tabs);
  const saved = workspace.operations;

  // The list closes on a click elsewhere.
  useEffect(() => {
    if (!listOpen) return;
    const onDown = (e: MouseEvent) => {
      if (menu.current && !menu.current.contains(e.target as Node)) setListOpen(false);
    };
    window.addEventListener("mousedown", onDown);
    return () => window.removeEventListener("mousedown", onDown);
  }, [listOpen]);
  useEffect(() => {
    if (!message || message.error) return;
    const t = window.setTimeout(() => setMessage(null), 4000);
    return () => window.clearTimeout(t);
  }, [message]);

  const apply = async (edit: (doc: NonNullable<ReturnType<typeof asWorkspaceDoc>>) => EditResult, done: string): Promise<boolean> => {
    const doc = asWorkspaceDoc(workspace.document);
    if (!doc) {
      setMessage({ text: "The workspace document cannot be edited here", error: true });
      return false;
    }
    const r = edit(doc);
    if (r.error) {
      setMessage({ text: r.error, error: true });
      return false;
    }
    try {
      onWorkspace(await api.workspaceUpdate(r.doc));
      setMessage({ text: done, error: false });
      return true;
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
      return false;
    }
  };

  const save = () => {
    const name = session.savedAs;
    if (name && saved.some((o) => o.name === name)) {
      void apply((d) => saveOperation(d, name, session.document, true), `Saved ${name}.`);
    } else {
      setNaming(tabTitle(session) === "New query" ? "" : tabTitle(session));
    }
  };
  const saveAs = (name: string) =>
    void apply((d) => saveOperation(d, name.trim(), session.document), `Saved as ${name.trim()}.`).then((ok) => {
      if (ok) {
        onSaved(name.trim());
        setNaming(null);
      }
    });

  return (
    <div className="query-tabs" role="tablist" aria-label="Open queries" data-testid="query-tabs">
      <div className="tab-strip">
        {tabs.tabs.map((t) => {
          const active = t.id === tabs.active;
          const title = tabTitle(t.session);
          return (
            <div key={t.id} className={`query-tab ${active ? "active" : ""}`} data-testid="query-tab" data-active={active} title={title}>
              <button role="tab" aria-selected={active} className="tab-title" onClick={() => onActivate(t.id)}>
                {t.session.root === "Mutation" && (
                  <span className="tab-kind" title="a mutation">
                    M
                  </span>
                )}
                <span className="tab-name">{title}</span>
              </button>
              <button
                className="tab-close"
                aria-label={`Close ${title}`}
                data-testid="query-tab-close"
                onClick={() => (unsavedWork(t.session, saved) ? setClosing(t.id) : onClose(t.id))}
              >
                ×
              </button>
            </div>
          );
        })}
        <button className="ghost tab-new" data-testid="query-tab-new" title="New query tab" aria-label="New query tab" onClick={onNew}>
          +
        </button>
      </div>
      {closing && tabs.tabs.some((t) => t.id === closing) && (
        <div className="row close-prompt" role="alertdialog" aria-label="Close an unsaved tab" data-testid="close-prompt">
          <span>
            “{tabTitle(tabs.tabs.find((t) => t.id === closing)!.session)}” is not saved: closing it loses its document.
          </span>
          <button
            className="danger"
            data-testid="close-discard"
            onClick={() => {
              onClose(closing);
              setClosing(null);
            }}
          >
            Close without saving
          </button>
          <button autoFocus className="ghost" data-testid="close-keep" onClick={() => setClosing(null)} onKeyDown={(e) => e.key === "Escape" && setClosing(null)}>
            Keep it
          </button>
        </div>
      )}
      {message && (
        <span className={`tab-message ${message.error ? "err" : "ok"}`} role={message.error ? "alert" : "status"} data-testid="saved-ops-message">
          {message.text}
        </span>
      )}
      {naming !== null ? (
        <form
          className="row save-as"
          onSubmit={(e) => {
            e.preventDefault();
            saveAs(naming);
          }}
        >
          <input
            autoFocus
            data-testid="save-op-name"
            aria-label="Name of the saved operation"
            placeholder="Name"
            value={naming}
            onChange={(e) => setNaming(e.target.value)}
            onKeyDown={(e) => e.key === "Escape" && setNaming(null)}
          />
          <button type="submit" className="primary" data-testid="save-op-confirm" disabled={naming.trim() === ""}>
            Save
          </button>
          <button type="button" className="ghost" onClick={() => setNaming(null)}>
            Cancel
          </button>
        </form>
      ) : (
        <button data-testid="save-op" onClick={save} disabled={session.document.trim() === ""} title="Save this document as a saved operation of the workspace">
          Save
        </button>
      )}
      {session.savedAs && saved.some((o) => o.name === session.savedAs) && (
        <button
          data-testid="calls-open"
          title={`${session.savedAs} as GraphQL, REST and gRPC calls: copy as cURL or grpcurl`}
          onClick={() => setCalls({ name: session.savedAs ?? "", variables: session.variables })}
        >
          Endpoints
        </button>
      )}
      <div className="saved-menu" ref={menu}>
        <button data-testid="saved-ops-open" aria-expanded={listOpen} onClick={() => setListOpen((o) => !o)} title="The workspace's saved operations">
          Saved ({saved.length}) ▾
        </button>
        {listOpen && (
          <div className="saved-list" role="menu" data-testid="saved-ops">
            {saved.length === 0 && <div className="muted">No saved operation yet: Save keeps the current document.</div>}
            {saved.map((o) =>
              renaming?.from === o.name ? (
                <form
                  key={o.name}
                  className="row saved-row"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const to = renaming.to.trim();
                    void apply((d) => renameSavedOperation(d, o.name, to), `Renamed ${o.name} to ${to}.`).then((ok) => {
                      if (ok) {
                        onRenamed(o.name, to);
                        setRenaming(null);
                      }
                    });
                  }}
                >
                  <input
                    autoFocus
                    className="grow"
                    data-testid="saved-op-rename-name"
                    aria-label={`New name of ${o.name}`}
                    value={renaming.to}
                    onChange={(e) => setRenaming({ from: o.name, to: e.target.value })}
                    onKeyDown={(e) => e.key === "Escape" && setRenaming(null)}
                  />
                  <button type="submit" data-testid="saved-op-rename-confirm">
                    Rename
                  </button>
                </form>
              ) : (
                <div key={o.name} className="row saved-row">
                  <button
                    role="menuitem"
                    className="list-button grow"
                    data-testid={`saved-op-${o.name}`}
                    title={o.document}
                    onClick={() => {
                      setListOpen(false);
                      onOpen({ ...EMPTY_SESSION, document: o.document, root: /^\s*mutation\b/.test(o.document) ? "Mutation" : "Query", savedAs: o.name });
                    }}
                  >
                    <strong className="block">{o.name}</strong>
                    {(o.restPath || o.grpc) && (
                      <span className="saved-exposed">
                        {o.restPath && (
                          <span className="muted mono">
                            {o.restMethod ?? "GET"} {o.restPath}
                          </span>
                        )}
                        {o.grpc && <span className="chip">gRPC</span>}
                      </span>
                    )}
                  </button>
                  <button
                    className="ghost"
                    data-testid={`saved-op-calls-${o.name}`}
                    title={`${o.name} as GraphQL, REST and gRPC calls: copy as cURL or grpcurl`}
                    onClick={() => {
                      setListOpen(false);
                      setCalls({ name: o.name, variables: session.savedAs === o.name ? session.variables : null });
                    }}
                  >
                    Endpoints
                  </button>
                  <button className="ghost" data-testid={`saved-op-rename-${o.name}`} title={`Rename ${o.name}`} onClick={() => setRenaming({ from: o.name, to: o.name })}>
                    Rename
                  </button>
                </div>
              ),
            )}
          </div>
        )}
      </div>
      {calls && <OperationCalls workspace={workspace} name={calls.name} variables={calls.variables} onWorkspace={onWorkspace} onClose={() => setCalls(null)} />}
    </div>
  );
}
