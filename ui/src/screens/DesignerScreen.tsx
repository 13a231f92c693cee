// The schema designer: the unified schema and the sources' operations on a canvas, a side
// panel for the selected field or binding, undo/redo. Every edit (valid or not) is validated at
// once (designer/validate.ts), drawn, and saved with `workspace_update` (debounced), so what is
// drawn is what is saved; the server's problems from the returned workspace are shown too.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ProblemView, WorkspaceView } from "../bindings";
import { api, errorMessage } from "../api";
import { asWorkspaceDoc, bind, canRedo, canUndo, createHistory, push, redo, tryItQuery, undo, validate } from "../designer";
import type { EditResult, History, WorkspaceDoc } from "../designer";
import { layoutCanvas, problemsOnCanvas } from "../designer/canvas";
import type { FieldRef } from "../designerUi/DesignerGraph";
import { bindOffer, NOTHING, select, type SelectionEvent } from "../designer/selection";
import { BindingPanel } from "../designerUi/BindingPanel";
import { SchemaTools } from "../designerUi/SchemaTools";

const DesignerGraph = lazy(() => import("../designerUi/DesignerGraph"));
export const SAVE_DELAY_MS = 300;

interface Props {
  workspace: WorkspaceView;
  onWorkspace: (w: WorkspaceView) => void;
  onTryIt: (query: string, variables: string) => void;
}

type SaveState = "saved" | "pending" | "saving" | "failed";

export function DesignerScreen({ workspace, onWorkspace, onTryIt }: Props) {
  const initial = asWorkspaceDoc(workspace.document);
  if (!initial) return <div className="centre muted">The workspace document cannot be edited here.</div>;
  return <Designer key={workspace.id} initial={initial} workspace={workspace} onWorkspace={onWorkspace} onTryIt={onTryIt} />;
}

function Designer({ initial, workspace, onWorkspace, onTryIt }: Props & { initial: WorkspaceDoc }) {
  const [history, setHistory] = useState<History>(() => createHistory(initial));
  const [serverProblems, setServerProblems] = useState<readonly ProblemView[]>(workspace.problems);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const [selection, setSelection] = useState(NOTHING);
  const dispatch = useCallback((e: SelectionEvent) => setSelection((s) => select(s, e)), []);
  const setSelectedOp = useCallback((id: string | null) => dispatch({ kind: "op", id }), [dispatch]);
  const setSelectedField = useCallback((field: FieldRef | null) => dispatch({ kind: "field", field }), [dispatch]);
  const setSelectedType = useCallback((type: string | null) => dispatch({ kind: "type", type }), [dispatch]);
  const clearSelection = useCallback(() => dispatch({ kind: "pane" }), [dispatch]);
  const selectedOp = selection.op;
  const selectedField = selection.field;
  const doc = history.present;

  const apply = useCallback((r: EditResult, coalesce?: string) => {
    if (r.error) {
      setNotice(r.error);
      return;
    }
    setNotice(r.warnings?.join("; ") ?? null);
    setHistory((h) => push(h, r.doc, coalesce ? { coalesce } : {}));
  }, []);

  // Debounced save of whatever is drawn; flushed when the screen goes away.
  const pending = useRef<WorkspaceDoc | null>(null);
  const saved = useRef<WorkspaceDoc>(initial);
  const onWs = useRef(onWorkspace);
  onWs.current = onWorkspace;
  const save = useCallback(() => {
    const next = pending.current;
    pending.current = null;
    if (!next || next === saved.current) return;
    saved.current = next;
    setSaveState("saving");
    api.workspaceUpdate(next).then(
      (v) => {
        setServerProblems(v.problems);
        setSaveState(pending.current ? "pending" : "saved");
        onWs.current(v);
      },
      (e) => {
        setSaveState("failed");
        setNotice(`Not saved: ${errorMessage(e)}`);
      },
    );
  }, []);
  useEffect(() => {
    if (doc === saved.current) {
      // Back to what was saved last (undo before the save went out): nothing to send.
      pending.current = null;
      setSaveState((st) => (st === "pending" ? "saved" : st));
      return;
    }
    pending.current = doc;
    setSaveState("pending");
    const t = setTimeout(save, SAVE_DELAY_MS);
    return () => clearTimeout(t);
  }, [doc, save]);
  useEffect(() => () => save(), [save]);

  const doUndo = useCallback(() => setHistory((h) => undo(h)), []);
  const doRedo = useCallback(() => setHistory((h) => redo(h)), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.key.toLowerCase() !== "z") return;
      if (e.target instanceof HTMLTextAreaElement) return;
      e.preventDefault();
      if (e.shiftKey) doRedo();
      else doUndo();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [doUndo, doRedo]);

  const layout = useMemo(() => layoutCanvas(doc), [doc]);
  const local = useMemo(() => validate(doc), [doc]);
  const problems = useMemo(() => problemsOnCanvas(local, serverProblems), [local, serverProblems]);
  const op = layout.ops.find((o) => o.id === selectedOp) ?? null;
  const field = selectedField && doc.schema.types[selectedField.type]?.fields[selectedField.field] ? selectedField : null;
  const offer = field ? layout.ops.find((o) => o.id === bindOffer(selection)) ?? null : null;
  // New fields go to the selected field's type, a type chosen by its header, or Query.
  const typeNames = Object.keys(doc.schema.types);
  const fieldType = selection.type && doc.schema.types[selection.type] ? selection.type : typeNames.includes("Query") ? "Query" : typeNames[0] ?? null;

  const bindTo = useCallback(
    (opId: string, f: FieldRef) => {
      const box = layout.ops.find((o) => o.id === opId);
      if (!box) return;
      const r = bind(doc, f.type, f.field, { source: box.source, operation: box.operation });
      apply(r);
      // The operation was used: it is not offered for the next field selected.
      if (!r.error) {
        setSelection((s) => select(select(s, { kind: "field", field: f }), { kind: "bound" }));
      }
    },
    [apply, doc, layout],
  );
  const tryIt = () => {
    if (!field) return;
    const t = tryItQuery(doc, field.type, field.field);
    if (!t.ok) setNotice(t.error);
    else onTryIt(t.query, JSON.stringify(t.variables, null, 2));
  };
  const fieldKey = field ? `${field.type}.${field.field}` : "";

  return (
    <div className="page designer" data-testid="designer-screen">
      <section className="panel">
        <div className="panel-head">
          <h3 className="grow">Schema designer</h3>
          <span className="muted" data-testid="designer-status" data-state={saveState}>
            {saveState === "saved" ? "Saved" : saveState === "failed" ? "Not saved" : "Saving…"} · {local.length + serverProblems.length === 0 ? "no problems" : `${problems.general.length + [...problems.types.values(), ...problems.fields.values(), ...problems.bindings.values()].reduce((n, l) => n + l.length, 0)} problem(s)`}
          </span>
          <button data-testid="designer-undo" disabled={!canUndo(history)} onClick={doUndo} title="Undo (Ctrl+Z)">Undo</button>
          <button data-testid="designer-redo" disabled={!canRedo(history)} onClick={doRedo} title="Redo (Shift+Ctrl+Z)">Redo</button>
        </div>
        <div className="panel-body topo-canvas" data-testid="designer-canvas">
          <Suspense fallback={<div className="centre muted">Loading…</div>}>
            <DesignerGraph
              workspaceId={workspace.id}
              doc={doc}
              layout={layout}
              problems={problems}
              selectedOp={selectedOp}
              selectedField={field}
              selectedType={selection.type}
              onSelectOp={setSelectedOp}
              onSelectField={setSelectedField}
              onSelectType={setSelectedType}
              onPane={clearSelection}
              onConnect={bindTo}
            />
          </Suspense>
        </div>
      </section>
      <aside className="panel">
        <div className="panel-head"><h3 className="grow">{field ? "Field" : op ? "Operation" : "Designer"}</h3></div>
        <div className="panel-body stack">
          {notice && <div className="err" role="status">{notice}</div>}
          {problems.general.map((p, i) => (
            <div key={`${p.path}-${i}`} className="err" data-testid="designer-problem" title={p.path}>{p.message} <span className="muted mono">{p.path}</span></div>
          ))}
          {op && <div className="mono" data-testid="designer-selected-op">Operation: {op.source}.{op.operation}{op.inputs.length ? ` (${op.inputs.join(", ")})` : ""}</div>}
          {offer && field && (
            <button className="primary" data-testid="designer-bind" onClick={() => bindTo(offer.id, field)}>
              Bind {fieldKey} to {offer.source}.{offer.operation}
            </button>
          )}
          {field && (
            <BindingPanel
              key={fieldKey}
              doc={doc}
              type={field.type}
              field={field.field}
              problems={[...(problems.fields.get(fieldKey) ?? []), ...(problems.bindings.get(fieldKey) ?? [])]}
              apply={apply}
              onTryIt={tryIt}
            />
          )}
          {!field && !op && <div className="muted">Select a field or an operation. Draw an edge from an operation to a field to bind it.</div>}
          <SchemaTools
            doc={doc}
            type={fieldType}
            onType={setSelectedType}
            op={op}
            apply={(r) => {
              apply(r);
              // A new type is where the next field goes.
              const added = Object.keys(r.doc.schema.types).find((t) => !doc.schema.types[t]);
              if (!r.error && added) setSelectedType(added);
            }}
            onError={setNotice}
          />
        </div>
      </aside>
    </div>
  );
}
