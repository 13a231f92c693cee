// Sources and their operations; add one (REST by hand, OpenAPI, GraphQL, gRPC); send to one.
import { useState } from "react";
import type { WorkspaceView } from "../bindings";
import { RestForm } from "../services/RestForm";
import { ImportForm } from "../services/ImportForms";
import { OperationSender } from "../services/OperationSender";

type AddKind = "rest" | "openapi" | "graphql" | "grpc";
const ADD_TABS: { id: AddKind; label: string }[] = [
  { id: "rest", label: "REST by hand" },
  { id: "openapi", label: "OpenAPI" },
  { id: "graphql", label: "GraphQL" },
  { id: "grpc", label: "gRPC reflection" },
];

export function ServicesScreen({ workspace, onWorkspace }: { workspace: WorkspaceView; onWorkspace: (w: WorkspaceView) => void }) {
  const [picked, setPicked] = useState<{ source: string; operation: string } | null>(null);
  const [addKind, setAddKind] = useState<AddKind>("rest");
  const [notice, setNotice] = useState<string | null>(null);
  const source = picked ? workspace.sources.find((s) => s.name === picked.source) : undefined;
  const operation = source?.operations.find((o) => o.name === picked?.operation);

  const added = (w: WorkspaceView, name: string) => {
    onWorkspace(w);
    setNotice(`Added ${name}. Bind its operations to fields in the workspace's schema to query them.`);
  };

  return (
    <div className="page services">
      <section className="panel" aria-label="Services">
        <div className="panel-head">
          <h3 className="grow">Services</h3>
          <button onClick={() => setPicked(null)} title="Register a service">+ Add</button>
        </div>
        <div className="panel-body">
          {workspace.sources.length === 0 && <div className="muted">No service yet.</div>}
          {workspace.sources.map((s) => (
            <div key={s.name} data-testid={`service-${s.name}`}>
              <div className={`source-item ${picked?.source === s.name ? "active" : ""}`} onClick={() => s.operations[0] && setPicked({ source: s.name, operation: s.operations[0].name })}>
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
                  onClick={() => setPicked({ source: s.name, operation: o.name })}
                  onKeyDown={(e) => e.key === "Enter" && setPicked({ source: s.name, operation: o.name })}
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
          {source && operation ? (
            <OperationSender source={source} operation={operation} />
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
