// Recorded runs of the open workspace, newest first; opening one restores its document,
// variables and result on the Query screen.
import { useEffect, useState } from "react";
import type { HistoryEntryView, WorkspaceView } from "../bindings";
import { api, errorMessage } from "../api";
import { EMPTY_SESSION, type QuerySession } from "../query/session";
import { formatMs } from "../result/waterfall";

export function HistoryScreen({ workspace, onOpen }: { workspace: WorkspaceView; onOpen: (s: QuerySession) => void }) {
  const [entries, setEntries] = useState<HistoryEntryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");

  useEffect(() => {
    api.historyList(200).then(setEntries, (e) => setError(errorMessage(e)));
  }, [workspace.id]);

  const open = (id: number) =>
    api.historyGet(id).then(
      (run) => {
        const variables = JSON.stringify(run.variables ?? {}, null, 2);
        onOpen({
          ...EMPTY_SESSION,
          document: run.document,
          variables,
          result: { response: run.response, trace: run.trace, runId: null, ranDocument: run.document, ranVariables: variables },
        });
      },
      (e) => setError(errorMessage(e)),
    );

  const needle = filter.trim().toLowerCase();
  const shown = (entries ?? []).filter((e) => needle === "" || (e.operation ?? "").toLowerCase().includes(needle));

  return (
    <div className="page" style={{ gridTemplateRows: "1fr" }}>
      <section className="panel">
        <div className="panel-head">
          <h3 className="grow">History · {workspace.name}</h3>
          <input placeholder="Filter by operation" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter by operation" />
          <button onClick={() => api.historyList(200).then(setEntries, (e) => setError(errorMessage(e)))}>Refresh</button>
        </div>
        <div className="panel-body">
          {error && <div className="err">{error}</div>}
          {entries === null && !error && <div className="muted">Loading…</div>}
          {entries !== null && shown.length === 0 && <div className="muted">No run recorded yet. Runs from the Query screen appear here.</div>}
          {shown.length > 0 && (
            <table className="grid">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Operation</th>
                  <th>Duration</th>
                  <th>Errors</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <tr
                    key={e.id}
                    className="clickable"
                    tabIndex={0}
                    data-testid="history-entry"
                    onClick={() => void open(e.id)}
                    onKeyDown={(k) => k.key === "Enter" && void open(e.id)}
                  >
                    <td>{new Date(e.startedAt).toLocaleString()}</td>
                    <td className="mono">{e.operation ?? <span className="muted">anonymous</span>}</td>
                    <td>{formatMs(e.durationMs)}</td>
                    <td className={e.errorCount > 0 ? "err" : "muted"}>{e.errorCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </section>
    </div>
  );
}
