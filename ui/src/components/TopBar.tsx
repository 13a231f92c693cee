import { useEffect, useState } from "react";
import type { WorkspaceSummary, WorkspaceView } from "../bindings";
import { api, errorMessage, isCancelled } from "../api";
import { applyTheme, nextTheme, storedTheme, type ThemeChoice } from "../theme";
import { Modal } from "./Modal";

interface Props {
  workspace: WorkspaceView | null;
  onWorkspace: (w: WorkspaceView) => void;
  onError: (message: string) => void;
}

// Files are chosen in the native dialogs the app opens (Rust): the page never names a path.
type Dialog = null | "open" | "new";

export function TopBar({ workspace, onWorkspace, onError }: Props) {
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  const [dialog, setDialog] = useState<Dialog>(null);

  const act = (p: Promise<WorkspaceView>) =>
    p.then(
      (w) => {
        onWorkspace(w);
        setDialog(null);
      },
      (e) => {
        if (!isCancelled(e)) onError(errorMessage(e));
      },
    );

  return (
    <header className="topbar">
      <span className="brand">Knot</span>
      {workspace && (
        <>
          <span className="ws-name" data-testid="workspace-name">{workspace.name}</span>
          <span className="ws-file" title={workspace.file ?? ""}>{workspace.file ?? "not saved to a file"}</span>
        </>
      )}
      <span className="grow" />
      {workspace && (
        <label className="row" style={{ flexDirection: "row", alignItems: "center" }}>
          Environment
          <select
            data-testid="env-picker"
            value={workspace.environment ?? ""}
            disabled={workspace.environments.length === 0}
            onChange={(e) => act(api.environmentSelect(e.target.value))}
          >
            {workspace.environment === null && <option value="">none</option>}
            {workspace.environments.map((env) => (
              <option key={env} value={env}>{env}</option>
            ))}
          </select>
        </label>
      )}
      <button onClick={() => setDialog("new")} title="New workspace">New</button>
      <button onClick={() => setDialog("open")} title="Open a workspace">Open…</button>
      <button onClick={() => act(api.workspaceSaveAs())} disabled={!workspace} data-testid="save-as" title="Save the workspace to a file">Save as…</button>
      <button
        className="ghost"
        data-testid="theme-toggle"
        title={`Theme: ${theme} (click to change)`}
        onClick={() => {
          const t = nextTheme(theme);
          applyTheme(t);
          setTheme(t);
        }}
      >
        {theme === "auto" ? "◐" : theme === "light" ? "☀" : "☾"}
      </button>
      {dialog === "open" && <OpenDialog onClose={() => setDialog(null)} act={act} />}
      {dialog === "new" && (
        <PromptDialog
          title="New workspace"
          label="Name"
          initial=""
          submit="Create"
          onClose={() => setDialog(null)}
          onSubmit={(name) => act(api.workspaceCreate(name))}
        />
      )}
    </header>
  );
}

function PromptDialog(props: {
  title: string;
  label: string;
  initial: string;
  submit: string;
  onClose: () => void;
  onSubmit: (value: string) => void;
}) {
  const [value, setValue] = useState(props.initial);
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) props.onSubmit(value.trim());
        }}
      >
        <label>
          {props.label}
          <input autoFocus data-testid="prompt-input" value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <div className="row">
          <span className="grow" />
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="primary" data-testid="prompt-submit" disabled={!value.trim()}>{props.submit}</button>
        </div>
      </form>
    </Modal>
  );
}

function OpenDialog(props: { onClose: () => void; act: (p: Promise<WorkspaceView>) => void }) {
  const [list, setList] = useState<WorkspaceSummary[]>([]);
  const [recent, setRecent] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.workspaceList().then(setList, (e) => setError(errorMessage(e)));
    api.recentFiles().then(setRecent, () => setRecent([]));
  }, []);
  return (
    <Modal title="Open workspace" onClose={props.onClose}>
      {error && <div className="err">{error}</div>}
      <div className="row">
        <span className="muted grow">A workspace file (*.knot.json) on this computer</span>
        <button className="primary" autoFocus data-testid="open-file" onClick={() => props.act(api.workspaceOpenFile())}>Choose file…</button>
      </div>
      {recent.length > 0 && (
        <div>
          <h3>Recent files</h3>
          {recent.map((f) => (
            <button key={f} className="list-button mono" onClick={() => props.act(api.workspaceOpenRecent(f))}>{f}</button>
          ))}
        </div>
      )}
      <div>
        <h3>Workspaces in the local store</h3>
        {list.length === 0 && <div className="muted">None yet.</div>}
        {list.map((w) => (
          <button key={w.id} className="list-button" onClick={() => props.act(api.workspaceOpen(w.id))}>
            <strong>{w.name}</strong> <span className="muted">{w.file ?? ""}</span>
          </button>
        ))}
      </div>
    </Modal>
  );
}
