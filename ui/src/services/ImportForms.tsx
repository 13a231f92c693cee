// Sources from a description: OpenAPI text, a GraphQL endpoint (introspection) or a gRPC
// endpoint described by server reflection or by a folder of .proto files (chosen in the
// native dialog the app opens on Import: the page never names a path).
import { useState } from "react";
import type { WorkspaceView } from "../bindings";
import { api, errorMessage, isCancelled } from "../api";

type Kind = "openapi" | "graphql" | "grpc";

export function ImportForm({ kind, onDone }: { kind: Kind; onDone: (w: WorkspaceView, name: string) => void }) {
  const [name, setName] = useState("");
  const [target, setTarget] = useState("");
  const [text, setText] = useState("");
  const [fromProtos, setFromProtos] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = () => {
    const n = name.trim();
    if (!n) return setError("The service needs a name");
    if (kind !== "openapi" && !target.trim()) return setError(kind === "graphql" ? "Enter the GraphQL URL" : "Enter the gRPC endpoint");
    if (kind === "openapi" && !text.trim()) return setError("Paste the OpenAPI document (JSON or YAML)");
    setBusy(true);
    setError(null);
    const p =
      kind === "openapi"
        ? api.sourceImportOpenapi(n, text, target.trim() || null)
        : kind === "graphql"
          ? api.sourceImportGraphql(n, target.trim())
          : fromProtos
            ? api.sourceImportProto(n, target.trim())
            : api.sourceImportGrpc(n, target.trim());
    p.then(
      (w) => {
        setBusy(false);
        onDone(w, n);
        setName("");
        setTarget("");
        setText("");
        setFromProtos(false);
      },
      (e) => {
        setBusy(false);
        if (!isCancelled(e)) setError(errorMessage(e));
      },
    );
  };

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="form-grid">
        <label>
          Name
          <input data-testid={`${kind}-name`} value={name} onChange={(e) => setName(e.target.value)} placeholder={kind === "grpc" ? "products" : "reviews"} />
        </label>
        <label style={{ gridColumn: "span 2" }}>
          {kind === "openapi" ? "Base URL (optional, else the document's server)" : kind === "graphql" ? "GraphQL URL" : "gRPC endpoint"}
          <input
            data-testid={`${kind}-target`}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            placeholder={kind === "grpc" ? "http://127.0.0.1:7103" : kind === "graphql" ? "http://127.0.0.1:7104/graphql" : "http://127.0.0.1:7101"}
          />
        </label>
      </div>
      {kind === "grpc" && (
        <label className="check" title="Off: the server describes itself by reflection">
          <input type="checkbox" data-testid="grpc-from-protos" checked={fromProtos} onChange={(e) => setFromProtos(e.target.checked)} />
          Describe it with a folder of .proto files (chosen when you import)
        </label>
      )}
      {kind === "openapi" && (
        <label>
          OpenAPI 3 document
          <textarea data-testid="openapi-text" rows={10} value={text} onChange={(e) => setText(e.target.value)} placeholder="openapi: 3.0.0 …" />
        </label>
      )}
      {error && <div className="err" role="alert">{error}</div>}
      <div className="row">
        <span className="grow" />
        <button type="submit" className="primary" data-testid={`${kind}-import`} disabled={busy}>{busy ? "Importing…" : kind === "grpc" && fromProtos ? "Choose folder and import…" : "Import"}</button>
      </div>
    </form>
  );
}
