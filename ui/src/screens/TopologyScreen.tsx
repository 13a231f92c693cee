// The workspace's topology: sources, types and saved operations with what connects them
// (from the core, `topology_view`), filters by source and protocol, a selection that lights
// everything upstream and downstream, call statistics from the history as badges, and
// exports (SVG/PNG built here from the same layout; DOT/Mermaid text from the core).
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import type { TopologyFormat, TopologyView, WorkspaceView } from "../bindings";
import { api, errorMessage, isCancelled } from "../api";
import { Modal } from "../components/Modal";
import { layoutTopology } from "../topology/layout";
import { highlight } from "../topology/reach";
import { applyFilter, NO_FILTER, protocolsOf, sourcesOf, toggled, type TopoFilter } from "../topology/filter";
import { overlayBySource, protocolAccent } from "../topology/overlay";
import { topologySvg } from "../topology/svg";
import { blobBytes, svgBytes, svgToPng } from "../topology/download";

const TopologyGraph = lazy(() => import("../topology/TopologyGraph"));

export function TopologyScreen({ workspace }: { workspace: WorkspaceView }) {
  const [view, setView] = useState<TopologyView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [withOverlay, setWithOverlay] = useState(true);
  const [filter, setFilter] = useState<TopoFilter>(NO_FILTER);
  const [selected, setSelected] = useState<string | null>(null);
  const [text, setText] = useState<{ format: TopologyFormat; text: string } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.topologyView(withOverlay).then(
      (v) => live && (setView(v), setError(null)),
      (e) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [workspace, withOverlay]);
  useEffect(() => setFilter(NO_FILTER), [workspace.id]);

  const shown = useMemo(() => (view ? applyFilter(view, filter) : null), [view, filter]);
  const layout = useMemo(() => (shown ? layoutTopology(shown.nodes, shown.edges) : null), [shown]);
  const overlays = useMemo(() => (view && withOverlay ? overlayBySource(view.overlays) : null), [view, withOverlay]);
  const sel = selected !== null && layout?.nodes.has(selected) ? selected : null;
  const lit = useMemo(() => (shown ? highlight(sel, shown.edges) : null), [sel, shown]);

  const svg = () => (layout && shown ? topologySvg(layout, shown.edges, overlays) : "");
  const base = workspace.name.replace(/[^\w.-]+/g, "_") || "topology";
  // The app asks where to save (native dialog); the page only hands over the picture.
  const save = (fileName: string, bytes: Promise<Uint8Array>) => {
    setSaved(null);
    bytes
      .then((b) => api.exportSave(fileName, b))
      .then(
        (path) => setSaved(path),
        (e) => {
          if (!isCancelled(e)) setError(errorMessage(e));
        },
      );
  };
  const exportSvg = () => {
    if (layout) save(`${base}-topology.svg`, Promise.resolve(svgBytes(svg())));
  };
  const exportPng = () => {
    if (layout) save(`${base}-topology.png`, svgToPng(svg(), layout.width, layout.height).then(blobBytes));
  };
  const showText = (format: TopologyFormat) =>
    api.topologyText(format).then((t) => setText({ format, text: t }), (e) => setError(errorMessage(e)));

  return (
    <div className="page topology" data-testid="topology-screen">
      <aside className="panel">
        <div className="panel-head"><h3 className="grow">Filters</h3></div>
        <div className="panel-body stack">
          <label className="switch" title="Calls, error rate and median time per source, from the last 500 runs">
            <input type="checkbox" data-testid="overlay-toggle" checked={withOverlay} onChange={(e) => setWithOverlay(e.target.checked)} />
            Call statistics{view && withOverlay ? ` (${view.runs} run${view.runs === 1 ? "" : "s"})` : ""}
          </label>
          {view && (
            <>
              <fieldset data-testid="protocol-filter">
                <legend>Protocols</legend>
                {protocolsOf(view).map((p) => (
                  <label key={p} className="check">
                    <input
                      type="checkbox"
                      checked={!filter.hiddenProtocols.has(p)}
                      onChange={() => setFilter({ ...filter, hiddenProtocols: toggled(filter.hiddenProtocols, p) })}
                    />
                    <span className="swatch" style={{ background: protocolAccent(p) }} /> {p}
                  </label>
                ))}
              </fieldset>
              <fieldset data-testid="source-filter">
                <legend>Sources</legend>
                {sourcesOf(view).map((s) => (
                  <label key={s.id} className="check">
                    <input
                      type="checkbox"
                      checked={!filter.hiddenSources.has(s.label) && !filter.hiddenProtocols.has(s.protocol)}
                      disabled={filter.hiddenProtocols.has(s.protocol)}
                      onChange={() => setFilter({ ...filter, hiddenSources: toggled(filter.hiddenSources, s.label) })}
                    />
                    {s.label} <span className="muted">{s.protocol}</span>
                  </label>
                ))}
              </fieldset>
            </>
          )}
          <div className="legend muted">
            <div>── feeds (source → type)</div>
            <div>- - holds (type → type)</div>
            <div>··· reaches (operation → source)</div>
            <div>Click a node to light what it reaches and what reaches it.</div>
          </div>
        </div>
      </aside>
      <section className="panel">
        <div className="panel-head">
          <h3 className="grow">Topology</h3>
          {saved && <span className="muted mono" data-testid="export-saved" title={saved}>Saved {saved.split("/").pop()}</span>}
          <button onClick={exportSvg} disabled={!layout} data-testid="export-svg">SVG…</button>
          <button onClick={exportPng} disabled={!layout} data-testid="export-png">PNG…</button>
          <button onClick={() => void showText("mermaid")} data-testid="export-mermaid">Mermaid</button>
          <button onClick={() => void showText("dot")} data-testid="export-dot">DOT</button>
        </div>
        <div className="panel-body topo-canvas" data-testid="topology-graph">
          {error && <div className="err">{error}</div>}
          {!layout ? (
            <div className="centre muted">Loading…</div>
          ) : layout.nodes.size === 0 ? (
            <div className="centre muted">Nothing to show: the workspace has no sources, types or operations (or all are filtered out).</div>
          ) : (
            <Suspense fallback={<div className="centre muted">Loading…</div>}>
              <TopologyGraph layout={layout} edges={shown?.edges ?? []} overlays={overlays} lit={lit} selected={sel} onSelect={setSelected} />
            </Suspense>
          )}
        </div>
      </section>
      {text && (
        <Modal title={text.format === "dot" ? "Graphviz DOT" : text.format === "mermaid" ? "Mermaid" : "SVG"} onClose={() => setText(null)}>
          <textarea readOnly className="export-text" data-testid="export-text" value={text.text} rows={18} />
          <div className="row">
            <span className="muted grow">The same text as <code>knot topology --format {text.format}</code>.</span>
            <button className="primary" onClick={() => void navigator.clipboard?.writeText(text.text)}>Copy</button>
          </div>
        </Modal>
      )}
    </div>
  );
}
