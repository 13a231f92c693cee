// The public schema (SDL, read-only) and every problem the workspace check reported.
import { lazy, Suspense } from "react";
import type { WorkspaceView } from "../bindings";
import { useDark } from "../useDark";

const ReadOnly = lazy(() => import("../editor/GraphqlEditor").then((m) => ({ default: m.ReadOnlyGraphql })));

export default function SchemaScreen({ workspace }: { workspace: WorkspaceView }) {
  const dark = useDark();
  return (
    <div className="page" style={{ gridTemplateColumns: "1fr 380px" }}>
      <section className="panel" aria-label="SDL">
        <div className="panel-head">
          <h3 className="grow">Public schema (SDL)</h3>
          <button className="ghost" onClick={() => void navigator.clipboard?.writeText(workspace.sdl)}>Copy</button>
        </div>
        <div className="editor-wrap" data-testid="sdl">
          <Suspense fallback={<pre style={{ padding: 8 }}>{workspace.sdl}</pre>}>
            <ReadOnly value={workspace.sdl} dark={dark} />
          </Suspense>
        </div>
      </section>
      <section className="panel" aria-label="Problems">
        <div className="panel-head">
          <h3 className="grow">Problems</h3>
          <span className={workspace.problems.length > 0 ? "chip err" : "chip"}>{workspace.problems.length}</span>
        </div>
        <div className="panel-body" data-testid="problems">
          {workspace.problems.length === 0 && <div className="ok">The workspace checks clean.</div>}
          {workspace.problems.map((p, i) => (
            <div key={i} className="card" style={{ marginBottom: 6 }}>
              <div className="row">
                <span className="chip err">{p.code}</span>
                <span className="mono muted grow" style={{ wordBreak: "break-all" }}>{p.path}</span>
                {p.line !== null && <span className="mono muted">{p.line}:{p.column ?? 0}</span>}
              </div>
              <div>{p.message}</div>
            </div>
          ))}
        </div>
      </section>
    </div>
  );
}
