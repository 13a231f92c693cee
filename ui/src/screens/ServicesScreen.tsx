// Sources and their operations; add one (REST by hand, OpenAPI, GraphQL, gRPC); edit, rename
// or delete one (a source: click its name; an operation: the buttons above its request); send
// to one.
import { useMemo, useState } from "react";
import type { WorkspaceView } from "../bindings";
import { RestForm } from "../services/RestForm";
import { ImportForm } from "../services/ImportForms";
import { OperationSender } from "../services/OperationSender";
import { OperationActions, SourceEditor, useSave } from "../services/SourceEdit";
import { asWorkspaceDoc } from "../designer/types";

type AddKind = "rest" | "openapi" | "graphql" | "grpc";
const ADD_TABS: { id: AddKind; label: string }[] = [
  { id: "rest", label: "REST by hand" },
  { id: "openapi", label: "OpenAPI" },
  { id: "graphql", label: "GraphQL" },
  { id: "grpc", label: "gRPC reflection" },
];

export function ServicesScreen({ workspace, onWorkspace }: { workspace: WorkspaceView; onWorkspace: (w: WorkspaceView) => void }) {
  // A source alone (operation null) opens its editor; with an operation, the request builder.
  const [picked, setPicked] = useState<{ source: string; operation: string | null } | null>(null);
  const [addKind, setAddKind] = useState<AddKind>("rest");
  const [notice, setNotice] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const doc = useMemo(() => asWorkspaceDoc(workspace.document), [workspace.document]);
  const save = useSave(onWorkspace, setMessage);
  const source = picked ? workspace.sources.find((s) => s.name === picked.source) : undefined;
  const operation = source?.operations.find((o) => o.name === picked?.operation);
  const pick = (next: { source: string; operation: string | null } | null) => {
    setPicked(next);
    setMessage(null);
  };

  const added = (w: WorkspaceView, name: string) => {
    onWorkspace(w);
    setNotice(`Added ${name}. Bind its operations to fields in the workspace's schema to query them.`);
  };

  return (
    <div className="page services">
      <section className="panel" aria-label="Services">
        <div className="panel-head">
          <h3 className="grow">Services</h3>
          <button onClick={() => pick(null)} title="Register a service" data-testid="service-add">+ Add</button>
        </div>
        <div className="panel-body">
          {workspace.sources.length === 0 && <div className="muted">No service yet.</div>}
          {workspace.sources.map((s) => (
            <div key={s.name} data-testid={`service-${s.name}`}>
              <div
                role="button"
                tabIndex={0}
                title="Edit, rename or delete this service"
                data-testid={`service-edit-${s.name}`}
                className={`source-item ${picked?.source === s.name && picked.operation === null ? "active" : ""}`}
                onClick={() => pick({ source: s.name, operation: null })}
                onKeyDown={(e) => e.key === "Enter" && pick({ source: s.name, operation: null })}
              >
                <div className="row">
                  <strong className="grow">{s.name}</strong>
                  <span className="kind">{s.kind}</span>
                </div>
                <div className="muted mono" style={{ fontSize: 11, wordBreak: "break-all" }}>{s.target}</div>
              </div>
              {s.operations.map((o) => (
                <div
                  key={o.name}
                  role="button"
                  tabIndex={0}
                  className={`op-item ${picked?.source === s.name && picked.operation === o.name ? "active" : ""}`}
                  onClick={() => pick({ source: s.name, operation: o.name })}
                  onKeyDown={(e) => e.key === "Enter" && pick({ source: s.name, operation: o.name })}
                  data-testid={`operation-${s.name}-${o.name}`}
                >
                  {o.name} <span className="muted mono">{o.summary}</span>
                </div>
              ))}
            </div>
          ))}
        </div>
      </section>
      <section className="panel">
        <div className="panel-body">
          {message && (
            <div className={`${message.error ? "err" : "ok"} edit-message`} role={message.error ? "alert" : "status"} data-testid="services-message">
              {message.text}
            </div>
          )}
          {source && operation ? (
            <OperationSender
              workspaceId={workspace.id}
              environment={workspace.environment}
              source={source}
              operation={operation}
              doc={doc}
              actions={
                doc && (
                  <OperationActions
                    doc={doc}
                    source={source.name}
                    operation={operation.name}
                    save={save}
                    onRenamed={(to) => setPicked({ source: source.name, operation: to })}
                    onDeleted={() => setPicked({ source: source.name, operation: null })}
                  />
                )
              }
            />
          ) : source && doc && picked?.operation === null ? (
            <SourceEditor
              doc={doc}
              source={source}
              save={save}
              onRenamed={(to) => setPicked({ source: to, operation: null })}
              onDeleted={() => setPicked(null)}
            />
          ) : (
            <div className="stack" style={{ maxWidth: 760 }}>
              <h2>Register a service</h2>
              <div className="tabs" role="tablist">
                {ADD_TABS.map((t) => (
                  <button key={t.id} role="tab" aria-selected={addKind === t.id} className={addKind === t.id ? "active" : ""} data-testid={`add-${t.id}`} onClick={() => setAddKind(t.id)}>
                    {t.label}
                  </button>
                ))}
              </div>
              {notice && <div className="ok" role="status">{notice}</div>}
              {addKind === "rest" ? <RestForm onDone={added} /> : <ImportForm key={addKind} kind={addKind} onDone={added} />}
            </div>
          )}
        </div>
      </section>
    </div>
  );
}
