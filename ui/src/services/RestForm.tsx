// Register a REST service by hand: name, base URL and its operations. The operation row is
// a draft: "Add another" keeps it in the list; "Add service" sends the list and the draft.
import { useState } from "react";
import type { RestOperationInput, WorkspaceView } from "../bindings";
import { api, errorMessage } from "../api";
import { restOperation } from "./inputs";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

export function RestForm({ onDone }: { onDone: (w: WorkspaceView, name: string) => void }) {
  const [name, setName] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [ops, setOps] = useState<RestOperationInput[]>([]);
  const [opName, setOpName] = useState("");
  const [method, setMethod] = useState("GET");
  const [path, setPath] = useState("");
  const [inputs, setInputs] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const draftEmpty = opName.trim() === "" && path.trim() === "";
  const draft = () => restOperation(opName, method, path, inputs);
  const clearDraft = () => {
    setOpName("");
    setPath("");
    setInputs("");
    setMethod("GET");
  };

  const addAnother = () => {
    const { op, errors: errs } = draft();
    setErrors(errs);
    if (errs.length === 0) {
      setOps((list) => [...list, op]);
      clearDraft();
    }
  };

  const submit = () => {
    const errs: string[] = [];
    if (!name.trim()) errs.push("The service needs a name");
    if (!/^https?:\/\/|^\{\{/.test(baseUrl.trim())) errs.push("The base URL starts with http:// or https:// (or {{env.NAME}})");
    let all = ops;
    if (!draftEmpty) {
      const d = draft();
      errs.push(...d.errors);
      all = [...ops, d.op];
    }
    if (all.length === 0) errs.push("Add at least one operation");
    setErrors(errs);
    if (errs.length > 0) return;
    setBusy(true);
    api.sourceAddRest({ name: name.trim(), baseUrl: baseUrl.trim(), operations: all }).then(
      (w) => {
        setBusy(false);
        onDone(w, name.trim());
        setName("");
        setBaseUrl("");
        setOps([]);
        clearDraft();
      },
      (e) => {
        setBusy(false);
        setErrors([errorMessage(e)]);
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
          <input data-testid="rest-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="orders" />
        </label>
        <label style={{ gridColumn: "span 2" }}>
          Base URL
          <input data-testid="rest-base-url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="http://127.0.0.1:7101" />
        </label>
      </div>
      {ops.length > 0 && (
        <ul className="mono" style={{ margin: 0, paddingLeft: 18 }}>
          {ops.map((o, i) => (
            <li key={i}>
              {o.name}: {o.method} {o.path} {o.inputs.length > 0 && <span className="muted">({o.inputs.map((x) => `${x.name}: ${x.type}`).join(", ")})</span>}{" "}
              <button type="button" className="ghost" onClick={() => setOps((l) => l.filter((_, j) => j !== i))} aria-label={`Remove ${o.name}`}>✕</button>
            </li>
          ))}
        </ul>
      )}
      <div className="card">
        <h3>Operation</h3>
        <div className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
          <label>
            Name
            <input data-testid="rest-op-name" value={opName} onChange={(e) => setOpName(e.target.value)} placeholder="getOrder" />
          </label>
          <label>
            Method
            <select data-testid="rest-op-method" value={method} onChange={(e) => setMethod(e.target.value)}>
              {METHODS.map((m) => <option key={m} value={m}>{m}</option>)}
            </select>
          </label>
          <label className="grow">
            Path
            <input data-testid="rest-op-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/orders/{id}" />
          </label>
        </div>
        <label>
          Other inputs (path parameters are added as ID!)
          <input data-testid="rest-op-inputs" value={inputs} onChange={(e) => setInputs(e.target.value)} placeholder="expand: Boolean, limit: Int" />
        </label>
        <div className="row">
          <button type="button" onClick={addAnother} disabled={draftEmpty}>+ Add another operation</button>
        </div>
      </div>
      {errors.length > 0 && (
        <ul className="err" role="alert" style={{ margin: 0 }}>
          {errors.map((e, i) => <li key={i}>{e}</li>)}
        </ul>
      )}
      <div className="row">
        <span className="grow" />
        <button type="submit" className="primary" data-testid="rest-add" disabled={busy}>{busy ? "Adding…" : "Add service"}</button>
      </div>
    </form>
  );
}
