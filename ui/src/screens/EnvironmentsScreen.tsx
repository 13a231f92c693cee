// Environments and their variables: add/remove environments, add/remove/rename variables,
// edit values, mark a variable secret. A secret's value is typed here and sent once with
// `environment_save`; it is never shown back (the store keeps it, outside the workspace
// file), so a secret row shows whether a value is stored and an empty field keeps it.
import { useCallback, useEffect, useState } from "react";
import type { EnvironmentView, WorkspaceView } from "../bindings";
import { api, errorMessage } from "../api";
import { draftOf, draftProblems, newRow, toInputs, type DraftRow } from "../environments/draft";

interface Props {
  workspace: WorkspaceView;
  onWorkspace: (w: WorkspaceView) => void;
}

export function EnvironmentsScreen({ workspace, onWorkspace }: Props) {
  const [envs, setEnvs] = useState<EnvironmentView[] | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [rows, setRows] = useState<DraftRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const load = useCallback((select: string | null) => {
    api.environmentList().then(
      (list) => {
        setEnvs(list);
        const pick = list.find((e) => e.name === select) ?? list[0] ?? null;
        setCurrent(pick?.name ?? null);
        setName(pick?.name ?? "");
        setRows(pick ? draftOf(pick) : []);
      },
      (e) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(() => load(workspace.environment), [workspace.id, load]);

  const pick = (env: EnvironmentView) => {
    setCurrent(env.name);
    setName(env.name);
    setRows(draftOf(env));
    setSaved(false);
    setError(null);
  };
  const startNew = () => {
    setCurrent(null);
    setName("");
    setRows([newRow()]);
    setSaved(false);
  };
  const edit = (key: number, patch: Partial<DraftRow>) => {
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
    setSaved(false);
  };
  const problems = draftProblems(name, rows);

  const save = () => {
    const target = name.trim();
    api.environmentSave(target, toInputs(rows)).then(
      async (w) => {
        // A rename: the old environment goes once the new one is saved.
        const next = current !== null && current !== target ? await api.environmentDelete(current) : w;
        onWorkspace(next);
        setSaved(true);
        setError(null);
        load(target);
      },
      (e) => setError(errorMessage(e)),
    );
  };
  const remove = () => {
    if (current === null) return;
    api.environmentDelete(current).then(
      (w) => {
        onWorkspace(w);
        load(null);
      },
      (e) => setError(errorMessage(e)),
    );
  };

  return (
    <div className="page environments" data-testid="environments-screen">
      <aside className="panel">
        <div className="panel-head">
          <h3 className="grow">Environments</h3>
          <button onClick={startNew} data-testid="env-new">+ New</button>
        </div>
        <div className="panel-body">
          {envs?.length === 0 && <div className="muted">None yet.</div>}
          {envs?.map((e) => (
            <div
              key={e.name}
              className={`source-item ${current === e.name ? "active" : ""}`}
              data-testid={`env-${e.name}`}
              onClick={() => pick(e)}
            >
              <strong>{e.name}</strong>
              {workspace.environment === e.name && <span className="chip" style={{ marginLeft: 6 }}>selected</span>}
              <div className="kind">{e.variables.length} variable{e.variables.length === 1 ? "" : "s"}</div>
            </div>
          ))}
        </div>
      </aside>
      <section className="panel">
        <div className="panel-head">
          <label className="row grow" style={{ flexDirection: "row", alignItems: "center" }}>
            Name
            <input data-testid="env-name" value={name} onChange={(e) => (setName(e.target.value), setSaved(false))} placeholder="local" />
          </label>
          <button className="ghost" onClick={remove} disabled={current === null} data-testid="env-delete">Delete environment</button>
          <button className="primary" onClick={save} disabled={problems.length > 0} data-testid="env-save">Save</button>
        </div>
        <div className="panel-body stack">
          {error && <div className="err">{error}</div>}
          {saved && <div className="ok">Saved.</div>}
          {problems.map((p) => <div key={p} className="muted">{p}</div>)}
          <table className="grid env-table">
            <thead>
              <tr><th>Variable</th><th>Value</th><th>Secret</th><th /></tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} data-testid="env-row">
                  <td><input className="mono" aria-label="Variable name" value={r.name} onChange={(e) => edit(r.key, { name: e.target.value })} /></td>
                  <td>
                    <input
                      className="mono"
                      aria-label="Value"
                      type={r.secret ? "password" : "text"}
                      autoComplete="off"
                      value={r.value}
                      placeholder={r.secret ? (r.stored ? "stored: leave empty to keep" : "not set") : ""}
                      onChange={(e) => edit(r.key, { value: e.target.value })}
                    />
                  </td>
                  <td>
                    <input type="checkbox" aria-label="Secret" checked={r.secret} onChange={(e) => edit(r.key, { secret: e.target.checked, value: "", stored: false })} />
                  </td>
                  <td><button className="ghost" aria-label="Remove variable" onClick={() => (setRows((rs) => rs.filter((x) => x.key !== r.key)), setSaved(false))}>✕</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button onClick={() => setRows((rs) => [...rs, newRow()])} data-testid="env-add-var">+ Variable</button>
            <span className="muted grow">
              Secrets are kept in the local store only: the workspace file says <code>{"{\"secret\": true}"}</code>. Use them as{" "}
              <code>{"{{secret.NAME}}"}</code>; plain variables as <code>{"{{env.NAME}}"}</code>. Renaming a secret needs its value again.
            </span>
          </div>
          {workspace.secretsKey && (
            <p className="muted secrets-key" data-testid="secrets-key">
              {workspace.secretsKey.kind === "keyring" ? (
                <>Stored secret values are encrypted with a key kept in the system keyring.</>
              ) : (
                <>
                  No system keyring was found: stored secret values are encrypted with a key kept beside the local store,
                  in <code>secrets.key</code> (readable by you only). That protects a copy of the store made without this
                  file, not someone who can read the whole data folder.
                </>
              )}
            </p>
          )}
        </div>
      </section>
    </div>
  );
}
