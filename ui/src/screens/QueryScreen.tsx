// The main screen: explorer | editor + variables | fan-out graph, result and waterfall.
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type Dispatch, type SetStateAction } from "react";
import type { RunResult, SpanView, WorkspaceView } from "../bindings";
import { Explorer } from "../query/Explorer";
import { buildQuery, closePaths, untick } from "../query/build";
import { sessionFromRun, type QuerySession } from "../query/session";
import { usePlan } from "../query/usePlan";
import { useRun } from "../query/useRun";
import { operationNames } from "../query/operations";
import { nodeStats, spanFailed, spansOf } from "../plan/stats";
import { nodeCaption } from "../plan/caption";
import { ResultPanel } from "../result/ResultPanel";
import { Waterfall } from "../result/Waterfall";
import { formatMs } from "../result/waterfall";
import { SpanDrawer } from "../result/SpanDrawer";
import { useDark } from "../useDark";
import { Splitter } from "../layout/Splitter";
import { SPLITTER, defaultSizes, fitColumns, loadSizes, saveSizes, type PaneSizes } from "../layout/panes";

/** The screen's padding (both sides) and the gaps between its five column tracks. */
const CHROME_X = 2 * 8 + 4 * 2;

/**
 * The Query screen's resizable panes: column widths fitted to the screen's width (measured),
 * the graph's share of the right column, and the handlers of the three splitters. Sizes are
 * saved when a drag ends.
 */
function usePanes() {
  const screen = useRef<HTMLDivElement>(null);
  const right = useRef<HTMLDivElement>(null);
  const graph = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(0);
  const [wanted, setWanted] = useState<PaneSizes | null>(() => loadSizes());
  useLayoutEffect(() => {
    const el = screen.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth);
    measure();
    const obs = new ResizeObserver(measure);
    obs.observe(el);
    return () => obs.disconnect();
  }, []);
  const total = Math.max(0, width - CHROME_X);
  const sizes = width > 0 ? fitColumns(total, wanted ?? defaultSizes(total)) : null;
  const from = useRef<PaneSizes | null>(null);
  const latest = useRef<PaneSizes | null>(sizes);
  latest.current = sizes;
  const start = () => {
    from.current = latest.current;
  };
  const end = () => {
    if (latest.current) saveSizes(latest.current);
  };
  const explorer = {
    onStart: start,
    onEnd: end,
    onDrag: (d: number) => from.current && setWanted({ ...from.current, explorer: from.current.explorer + d }),
  };
  const rightCol = {
    onStart: start,
    onEnd: end,
    onDrag: (d: number) => from.current && setWanted({ ...from.current, right: from.current.right - d }),
  };
  const graphShare = useRef(0.42);
  const graphRow = {
    onStart: () => {
      start();
      const col = right.current?.clientHeight ?? 0;
      const g = graph.current?.offsetHeight ?? 0;
      graphShare.current = latest.current?.graph ?? (col > 0 ? g / col : 0.42);
    },
    onEnd: end,
    onDrag: (d: number) => {
      const col = right.current?.clientHeight ?? 0;
      if (from.current && col > 0) setWanted({ ...from.current, graph: graphShare.current + d / col });
    },
    onReset: () => {
      if (!latest.current) return;
      const next = { ...latest.current, graph: null };
      setWanted(next);
      saveSizes(next);
    },
  };
  const columns = sizes ? `${sizes.explorer}px ${SPLITTER}px minmax(0, 1fr) ${SPLITTER}px ${sizes.right}px` : undefined;
  return { screen, right, graph, sizes, columns, explorer, rightCol, graphRow };
}

const GraphqlEditor = lazy(() => import("../editor/GraphqlEditor"));
const PlanGraph = lazy(() => import("../plan/PlanGraph"));

interface Props {
  workspace: WorkspaceView;
  session: QuerySession;
  setSession: Dispatch<SetStateAction<QuerySession>>;
}

export function QueryScreen({ workspace, session, setSession }: Props) {
  const dark = useDark();
  const panes = usePanes();
  const [operation, setOperation] = useState<string | null>(null);
  const [selectedNode, setSelectedNode] = useState<number | null>(null);
  const [span, setSpan] = useState<SpanView | null>(null);
  // The graph's panel grows (within bounds) to show the whole graph at a readable size.
  const [graphHeight, setGraphHeight] = useState<number | null>(null);
  // A ticked leaf shows its parents ticked too: the document selects them.
  const selected = useMemo(() => closePaths(session.selected), [session.selected]);
  const ops = useMemo(() => operationNames(session.document), [session.document]);
  const operationName = ops.length > 1 ? (operation && ops.includes(operation) ? operation : (ops[0] ?? null)) : null;

  const workspaceKey = `${workspace.id}:${workspace.sdl.length}:${workspace.environment ?? ""}`;
  const plan = usePlan(session.document, session.variables, operationName, workspaceKey);

  const onResult = useCallback(
    (run: RunResult, document: string, variables: string) =>
      setSession((s) => ({ ...s, result: sessionFromRun(run, document, variables) })),
    [setSession],
  );
  const { state: runState, run, cancel, clearError } = useRun(onResult);
  const running = runState.runId !== null;
  const doRun = useCallback(() => run(session.document, session.variables, operationName), [run, session.document, session.variables, operationName]);

  // Ctrl/Cmd+Enter runs from anywhere on this screen (the editor has its own binding too).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && !e.defaultPrevented) {
        e.preventDefault();
        doRun();
      } else if (e.key === "Escape" && running) {
        cancel();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [doRun, cancel, running]);

  // The tree follows a document typed by hand or reopened from history (parsed lazily:
  // the GraphQL parser lives in the editor's chunk).
  const { document: doc, generated } = session;
  useEffect(() => {
    if (doc === generated || doc.trim() === "") return;
    let live = true;
    const timer = window.setTimeout(() => {
      void import("../query/extract").then(({ extractSelection }) => {
        const found = live ? extractSelection(workspace.schema, doc, operationName) : null;
        if (found) setSession((s) => (s.document === doc ? { ...s, root: found.root, selected: found.selected, args: found.args } : s));
      });
    }, 300);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [doc, generated, operationName, workspace.schema, setSession]);

  const regenerate = (nextSelected: Iterable<string>, nextArgs: QuerySession["args"]) =>
    setSession((s) => {
      const sel = [...nextSelected];
      const doc = buildQuery(workspace.schema, sel, nextArgs, { rootType: s.root });
      return { ...s, selected: sel, args: nextArgs, document: doc, generated: doc };
    });
  // Another root starts another document (a query and a mutation are not mixed).
  const onRoot = (root: string) =>
    setSession((s) => (s.root === root ? s : { ...s, root, selected: [], args: {}, document: "", generated: "" }));
  const onToggle = (path: string, on: boolean) => {
    const next = on ? new Set(selected).add(path) : untick(selected, path);
    regenerate(next, session.args);
  };
  const onArg = (path: string, name: string, value: string) => {
    const nextArgs = { ...session.args, [path]: { ...(session.args[path] ?? {}), [name]: value } };
    const next = value.trim() !== "" ? new Set(selected).add(path) : selected;
    regenerate(next, nextArgs);
  };

  const result = session.result;
  // Run figures belong on the graph only while it shows the document that ran.
  const sameAsRun = !!result && result.ranDocument === session.document && result.ranVariables === session.variables;
  const trace = result?.trace ?? null;
  const stats = useMemo(() => (sameAsRun ? nodeStats(trace) : new Map()), [sameAsRun, trace]);
  const shownPlan = plan.result?.plan ?? (sameAsRun ? trace?.plan ?? null : null);
  const planErrors = plan.result?.errors ?? [];
  const nodeSpans = selectedNode !== null && sameAsRun ? spansOf(trace, selectedNode) : [];
  const edited = session.document !== session.generated && session.generated !== "";

  return (
    <div className="query-screen" ref={panes.screen} style={panes.columns ? { gridTemplateColumns: panes.columns } : undefined}>
      <Explorer
        schema={workspace.schema}
        root={session.root}
        onRoot={onRoot}
        selected={selected}
        args={session.args}
        onToggle={onToggle}
        onArg={onArg}
      />
      <Splitter orientation="vertical" testid="splitter-explorer" label="Resize the explorer" {...panes.explorer} />

      <div className="col">
        <section className="panel grow" aria-label="Query editor">
          <div className="panel-head">
            <h3 className="grow">Query</h3>
            {edited && <span className="muted" title="Ticking a field rewrites the document from the explorer">edited by hand</span>}
            {ops.length > 1 && (
              <select aria-label="Operation" value={operationName ?? ""} onChange={(e) => setOperation(e.target.value)}>
                {ops.map((o) => <option key={o}>{o}</option>)}
              </select>
            )}
            <button onClick={() => setSession((s) => ({ ...s, selected: [], args: {}, document: "", generated: "" }))} title="Clear the query">Clear</button>
            {running ? (
              <button className="primary" data-testid="cancel" onClick={cancel} title="Cancel (Esc)">Cancel</button>
            ) : null}
            <button className="primary" data-testid="run" onClick={doRun} disabled={running || session.document.trim() === ""} title="Run (Ctrl+Enter)">
              {running ? "Running…" : "▶ Run"}
            </button>
          </div>
          <div className="editor-wrap" data-testid="editor">
            <Suspense fallback={<pre style={{ padding: 8 }}>{session.document}</pre>}>
              <GraphqlEditor
                value={session.document}
                sdl={workspace.sdl}
                dark={dark}
                onRun={doRun}
                onChange={(document) => setSession((s) => ({ ...s, document }))}
              />
            </Suspense>
          </div>
          {runState.cancelled && (
            <div className="row muted notice" role="status" data-testid="run-cancelled">
              <span className="grow">Run cancelled.</span>
              <button className="ghost" onClick={clearError} aria-label="Dismiss">✕</button>
            </div>
          )}
          {(planErrors.length > 0 || plan.error || runState.error) && (
            <div className="errors-list problems" role="alert">
              {runState.error && (
                <div className="err row">
                  <span className="grow">Run failed: {runState.error}</span>
                  <button className="ghost" onClick={clearError}>✕</button>
                </div>
              )}
              {plan.error && <div className="err">{plan.error}</div>}
              {planErrors.map((e, i) => (
                <div key={i} className="err">
                  {e.line !== null && <span className="mono">{e.line}:{e.column ?? 0} </span>}
                  {e.message}
                </div>
              ))}
            </div>
          )}
        </section>
        <section className="panel variables" aria-label="Variables">
          <div className="panel-head">
            <h3 className="grow">Variables</h3>
            <span className="muted">JSON</span>
          </div>
          <div className="panel-body">
            <textarea
              data-testid="variables"
              spellCheck={false}
              value={session.variables}
              onChange={(e) => setSession((s) => ({ ...s, variables: e.target.value }))}
            />
          </div>
        </section>
      </div>
      <Splitter orientation="vertical" testid="splitter-right" label="Resize the graph and result column" {...panes.rightCol} />

      <div className="col" ref={panes.right}>
        <section
          className="panel graph"
          aria-label="Fan-out graph"
          ref={panes.graph}
          style={
            panes.sizes?.graph != null
              ? { flexBasis: `${(panes.sizes.graph * 100).toFixed(2)}%` }
              : shownPlan && graphHeight !== null
                ? { flexBasis: `clamp(42%, ${graphHeight + 36 + 28}px, 62%)` }
                : undefined
          }
        >
          <div className="panel-head">
            <h3 className="grow">Fan-out graph</h3>
            {plan.pending && <span className="muted">planning…</span>}
            {shownPlan && (
              <span className="muted" data-testid="plan-summary">
                {shownPlan.nodes.length} fetch{shownPlan.nodes.length === 1 ? "" : "es"} · {shownPlan.stages.length} stage{shownPlan.stages.length === 1 ? "" : "s"}
              </span>
            )}
            {sameAsRun && trace && <span className="chip">{formatMs(trace.durationMs)}</span>}
          </div>
          <div className="panel-body" data-testid="plan-graph">
            {shownPlan ? (
              <Suspense fallback={<div className="centre muted">Drawing…</div>}>
                <PlanGraph plan={shownPlan} stats={stats} progress={runState.progress} selected={selectedNode} onSelect={setSelectedNode} onIdealHeight={setGraphHeight} />
              </Suspense>
            ) : (
              <div className="centre muted">{session.document.trim() === "" ? "Tick fields to see which calls the query makes." : "No plan for this document."}</div>
            )}
            {selectedNode !== null && shownPlan && (
              <div className="node-calls" data-testid="node-calls">
                <div className="row">
                  <strong className="grow">{(() => {
                    const n = shownPlan.nodes.find((x) => x.id === selectedNode);
                    return n ? nodeCaption(n) : `node ${selectedNode}`;
                  })()}</strong>
                  <button className="ghost" onClick={() => setSelectedNode(null)} aria-label="Close">✕</button>
                </div>
                {nodeSpans.length === 0 && <div className="muted">No calls yet: run the query to see them.</div>}
                {nodeSpans.map((s) => (
                  <button key={s.id} className="list-button" onClick={() => setSpan(s)}>
                    <span className="mono">{s.request.method}</span>
                    {shownPlan.nodes.find((n) => n.id === s.node)?.mode === "batch" ? ` ×${s.batchSize}` : ""}{" "}
                    <span className={spanFailed(s) ? "err" : "ok"}>{s.category ?? s.status ?? "–"}</span>{" "}
                    <span className="muted">{formatMs(s.endMs - s.startMs)}</span>
                  </button>
                ))}
              </div>
            )}
          </div>
        </section>
        <Splitter orientation="horizontal" testid="splitter-graph" label="Resize the graph and the result" {...panes.graphRow} />
        {result ? (
          <>
            <ResultPanel response={result.response} traceErrors={trace?.errors ?? []} />
            {trace && (
              <section className="panel waterfall" aria-label="Downstream calls">
                <div className="panel-head">
                  <h3 className="grow">Downstream calls</h3>
                  <span className="muted">{trace.spans.length} call{trace.spans.length === 1 ? "" : "s"} · {formatMs(trace.durationMs)}</span>
                </div>
                <div className="panel-body">
                  <Waterfall trace={trace} selected={span?.id ?? null} onSelect={setSpan} />
                </div>
              </section>
            )}
          </>
        ) : (
          <section className="panel grow">
            <div className="centre muted">
              <span>Run the query (<span className="kbd">Ctrl</span> + <span className="kbd">Enter</span>) to see the stitched result and every downstream call.</span>
            </div>
          </section>
        )}
      </div>
      {span && (
        <SpanDrawer
          span={span}
          batch={(trace?.plan ?? shownPlan)?.nodes.find((n) => n.id === span.node)?.mode === "batch"}
          onClose={() => setSpan(null)}
        />
      )}
    </div>
  );
}
