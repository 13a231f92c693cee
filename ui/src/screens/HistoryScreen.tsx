// Recorded runs of the open workspace, newest first: each row says what ran (the operation's
// name or first field, the field with its arguments, the variables), its status and how many
// downstream calls it made; opening one restores its document, variables and result in a
// Query tab; a row can be deleted.
import { useEffect, useState } from "react";
import type { HistoryEntryView, WorkspaceView } from "../bindings";
import { api, errorMessage } from "../api";
import { EMPTY_SESSION, type QuerySession } from "../query/session";
import { formatMs } from "../result/waterfall";
import { summarizeRun } from "../query/summary";

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

  const remove = (id: number) =>
    api.historyDelete(id).then(
      () => setEntries((list) => (list ?? []).filter((e) => e.id !== id)),
      (e) => setError(errorMessage(e)),
    );

  const needle = filter.trim().toLowerCase();
  const rows = (entries ?? []).map((e) => ({ entry: e, text: summarizeRun(e.document, e.operation, e.variables) }));
  const shown = rows.filter(
    ({ text }) => needle === "" || text.title.toLowerCase().includes(needle) || text.call.toLowerCase().includes(needle),
  );

  return (
    <div className="page" style={{ gridTemplateRows: "1fr" }}>
      <section className="panel">
        <div className="panel-head">
          <h3 className="grow">History · {workspace.name}</h3>
          <input placeholder="Filter by operation or field" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter by operation" />
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
                  <th>Status</th>
                  <th>Calls</th>
                  <th>Duration</th>
                  <th aria-label="Delete" />
                </tr>
              </thead>
              <tbody>
                {shown.map(({ entry: e, text }) => (
                  <tr
                    key={e.id}
                    className="clickable"
                    tabIndex={0}
                    data-testid="history-entry"
                    title="Open in a Query tab"
                    onClick={() => void open(e.id)}
                    onKeyDown={(k) => k.key === "Enter" && void open(e.id)}
                  >
                    <td className="nowrap">{new Date(e.startedAt).toLocaleString()}</td>
                    <td className="history-what">
                      <div className="mono history-title" data-testid="history-title">
                        {text.title}
                      </div>
                      {text.call !== "" && text.call !== text.title && (
                        <div className="mono muted history-call" data-testid="history-call" title={e.document}>
                          {text.call}
                        </div>
                      )}
                      {text.variables !== "" && (
                        <div className="mono muted history-call" title="variables">
                          {text.variables}
                        </div>
                      )}
                    </td>
                    <td className={e.errorCount > 0 ? "err nowrap" : "ok nowrap"} data-testid="history-status">
                      {e.errorCount > 0 ? `${e.errorCount} error${e.errorCount === 1 ? "" : "s"}` : "OK"}
                    </td>
                    <td className="nowrap" data-testid="history-calls">
                      {e.calls} call{e.calls === 1 ? "" : "s"}
                    </td>
                    <td className="nowrap">{formatMs(e.durationMs)}</td>
                    <td>
                      <button
                        className="ghost danger"
                        data-testid="history-delete"
                        title="Delete this run from the history"
                        aria-label="Delete this run"
                        onClick={(ev) => {
                          ev.stopPropagation();
                          void remove(e.id);
                        }}
                        onKeyDown={(ev) => ev.stopPropagation()}
                      >
                        Delete
                      </button>
                    </td>
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
