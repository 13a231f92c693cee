import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type SetStateAction } from "react";
import type { WorkspaceView } from "./bindings";
import { api, errorMessage, hasDesktopShell } from "./api";
import { ShellMissing } from "./components/ShellMissing";
import { TopBar } from "./components/TopBar";
import { QueryScreen } from "./screens/QueryScreen";
import { ServicesScreen } from "./screens/ServicesScreen";
import { HistoryScreen } from "./screens/HistoryScreen";
import { NavIcon } from "./components/NavIcon";
import { measureDrawn } from "./timing";
import { asWorkspaceDoc } from "./designer/types";
import { EnvironmentsScreen } from "./screens/EnvironmentsScreen";
import { EMPTY_SESSION, type QuerySession } from "./query/session";
import { QueryTabs } from "./query/QueryTabs";
import { activeSession, addTab, closeTab, emptyTabs, loadTabs, openInTab, saveTabs, updateTab, type Tabs } from "./query/tabs";

const SchemaScreen = lazy(() => import("./screens/SchemaScreen"));
const DesignerScreen = lazy(() => import("./screens/DesignerScreen").then((m) => ({ default: m.DesignerScreen })));
const TopologyScreen = lazy(() => import("./screens/TopologyScreen").then((m) => ({ default: m.TopologyScreen })));

export type Screen = "query" | "services" | "schema" | "designer" | "history" | "topology" | "environments";
const SCREENS: { id: Screen; label: string }[] = [
  { id: "query", label: "Query" },
  { id: "services", label: "Services" },
  { id: "schema", label: "Schema" },
  { id: "designer", label: "Designer" },
  { id: "history", label: "History" },
  { id: "topology", label: "Topology" },
  { id: "environments", label: "Envs" },
];

export function App() {
  if (!hasDesktopShell()) return <ShellMissing />;
  return <Workbench />;
}

function Workbench() {
  const [ws, setWs] = useState<WorkspaceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [screen, setScreen] = useState<Screen>("query");
  // The Query screen's open tabs, per workspace (kept across launches: query/tabs.ts). `ws` says
  // whose tabs they are, so nothing is saved under a workspace before its own tabs are loaded.
  const [tabState, setTabState] = useState<{ ws: number | null; tabs: Tabs }>(() => ({ ws: null, tabs: emptyTabs() }));
  const tabs = tabState.tabs;
  const setTabs = useCallback((update: (t: Tabs) => Tabs) => setTabState((s) => ({ ...s, tabs: update(s.tabs) })), []);

  useEffect(() => {
    api.workspaceCurrent().then(setWs, (e) => setError(errorMessage(e)));
  }, []);
  // From the page's start to the first workspace drawn (what `make bench-app` reports).
  const drawnOnce = useRef(false);
  useEffect(() => {
    if (!ws || drawnOnce.current) return;
    drawnOnce.current = true;
    measureDrawn("workspace-drawn", 0, { workspace: ws.name });
  }, [ws]);
  // The designer's layout engine (ELK, in a worker: 1.5 MB of script and some 60 MB once
  // running) starts when the pointer or the focus reaches the Designer button, not at launch,
  // and lays the canvas out while the person clicks.
  const warmDesigner = () => {
    const doc = ws ? asWorkspaceDoc(ws.document) : null;
    if (doc) void import("./designerUi/elk").then((m) => m.warmUp(doc), () => {});
  };

  // Ctrl/Cmd+1..7 switch screens.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const i = Number(e.key) - 1;
      const target = SCREENS[i];
      if (target) {
        e.preventDefault();
        setScreen(target.id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const replaceWorkspace = useCallback((next: WorkspaceView) => {
    setWs(next);
    setError(null);
  }, []);

  // Another workspace: its own tabs.
  const wsId = ws?.id;
  useEffect(() => {
    if (wsId !== undefined) setTabState({ ws: wsId, tabs: loadTabs(wsId) });
  }, [wsId]);
  useEffect(() => {
    if (tabState.ws !== null && tabState.ws === wsId) saveTabs(tabState.ws, tabState.tabs);
  }, [tabState, wsId]);
  // The active tab's session and its setter (bound to that tab: a run's result lands in the
  // tab it was started from even after another tab is chosen).
  const activeId = tabs.active;
  const session = activeSession(tabs);
  const setSession = useMemo(
    () => (update: SetStateAction<QuerySession>) =>
      setTabs((t) => updateTab(t, activeId, (s) => (typeof update === "function" ? update(s) : update))),
    [activeId, setTabs],
  );
  const openSession = (s: QuerySession) => {
    setTabs((t) => openInTab(t, s));
    setScreen("query");
  };

  return (
    <div className="app">
      <TopBar workspace={ws} onWorkspace={replaceWorkspace} onError={setError} />
      <nav className="nav" aria-label="Screens">
        {SCREENS.map((s, i) => (
          <button
            key={s.id}
            className={screen === s.id ? "active" : ""}
            data-testid={`nav-${s.id}`}
            title={`${s.label} (Ctrl+${i + 1})`}
            onClick={() => setScreen(s.id)}
            {...(s.id === "designer" ? { onPointerEnter: warmDesigner, onFocus: warmDesigner } : {})}
          >
            <NavIcon name={s.id} />
            {s.label}
          </button>
        ))}
      </nav>
      <main className="main">
        {error && (
          <div className="banner" role="alert">
            <span className="grow">{error}</span>
            <button className="ghost" onClick={() => setError(null)}>Dismiss</button>
          </div>
        )}
        {ws && ws.unconfirmedSources.length > 0 && (
          <div className="banner trust-notice" role="alert" data-testid="unconfirmed-sources">
            <div className="grow">
              <p>
                The linked file changed {ws.unconfirmedSources.length === 1 ? "a source’s URL" : "sources’ URLs"} since you
                last confirmed {ws.unconfirmedSources.length === 1 ? "it" : "them"}: stored secrets are held back from runs
                until you check and trust the new {ws.unconfirmedSources.length === 1 ? "URL" : "URLs"}.
              </p>
              <ul className="url-changes">
                {ws.unconfirmedSources.map((u) => (
                  <li key={u.name} data-testid={`unconfirmed-source-${u.name}`}>
                    <span className="url-source" title={u.name}>
                      {u.name}
                    </span>
                    <span className="url-label">was</span>
                    <span className="mono url" data-testid="confirmed-url">
                      {u.confirmedUrl ?? "(a new source)"}
                    </span>
                    <span className="url-label">now</span>
                    <span className="mono url" data-testid="new-url">
                      {u.url}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
            <button
              className="primary"
              data-testid="confirm-sources"
              onClick={() => api.workspaceConfirmSources().then(replaceWorkspace, (e) => setError(errorMessage(e)))}
            >
              {ws.unconfirmedSources.length === 1 ? "Trust the new URL" : "Trust the new URLs"}
            </button>
          </div>
        )}
        {!ws ? (
          <div className="centre muted">{error ? "The workspace could not be opened." : "Opening the workspace…"}</div>
        ) : screen === "query" ? (
          <div className="query-page">
            <QueryTabs
              workspace={ws}
              tabs={tabs}
              onActivate={(id) => setTabs((t) => ({ ...t, active: id }))}
              onClose={(id) => setTabs((t) => closeTab(t, id))}
              onNew={() => setTabs(addTab)}
              onOpen={openSession}
              onSaved={(name) => setSession((s) => ({ ...s, savedAs: name }))}
              onRenamed={(from, to) =>
                setTabs((t) => ({ ...t, tabs: t.tabs.map((x) => (x.session.savedAs === from ? { ...x, session: { ...x.session, savedAs: to } } : x)) }))
              }
              onWorkspace={replaceWorkspace}
            />
            <QueryScreen key={activeId} workspace={ws} session={session} setSession={setSession} />
          </div>
        ) : screen === "services" ? (
          <ServicesScreen workspace={ws} onWorkspace={replaceWorkspace} />
        ) : screen === "schema" ? (
          <Suspense fallback={<div className="centre muted">Loading…</div>}>
            <SchemaScreen workspace={ws} />
          </Suspense>
        ) : screen === "designer" ? (
          <Suspense fallback={<div className="centre muted">Loading…</div>}>
            <DesignerScreen
              workspace={ws}
              onWorkspace={replaceWorkspace}
              onTryIt={(document, variables) => openSession({ ...EMPTY_SESSION, document, variables })}
            />
          </Suspense>
        ) : screen === "topology" ? (
          <Suspense fallback={<div className="centre muted">Loading…</div>}>
            <TopologyScreen workspace={ws} />
          </Suspense>
        ) : screen === "environments" ? (
          <EnvironmentsScreen key={ws.id} workspace={ws} onWorkspace={replaceWorkspace} />
        ) : (
          <HistoryScreen
            workspace={ws}
            onOpen={openSession}
          />
        )}
      </main>
    </div>
  );
}
