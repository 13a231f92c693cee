// One raw call to one operation, as an API client's Send: inputs, status, timing, response.
import { useEffect, useState } from "react";
import type { CallView, OperationView, SourceView } from "../bindings";
import { api, errorMessage } from "../api";
import { inputValues } from "./inputs";
import { RequestBlock, ResponseBlock } from "../components/CallDetail";
import { formatMs } from "../result/waterfall";

export function OperationSender({ source, operation }: { source: SourceView; operation: OperationView }) {
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [call, setCall] = useState<CallView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setTexts({});
    setCall(null);
    setError(null);
  }, [source.name, operation.name]);

  const send = () => {
    setBusy(true);
    setError(null);
    api.operationSend(source.name, operation.name, inputValues(operation.inputs, texts)).then(
      (c) => {
        setBusy(false);
        setCall(c);
      },
      (e) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };

  return (
    <div className="stack" data-testid="operation-sender">
      <div className="row">
        <h2 className="grow">
          {source.name} · {operation.name} <span className="muted mono">{operation.summary}</span>
        </h2>
      </div>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        {operation.inputs.length === 0 && <div className="muted">This operation takes no input.</div>}
        <div className="form-grid">
          {operation.inputs.map((i) => (
            <label key={i.name}>
              <span>
                {i.name} <span className="mono">{i.type}</span>
                {i.required && <span className="err"> *</span>}
              </span>
              <input
                data-testid={`send-input-${i.name}`}
                value={texts[i.name] ?? ""}
                onChange={(e) => setTexts((t) => ({ ...t, [i.name]: e.target.value }))}
              />
            </label>
          ))}
        </div>
        <div className="row">
          <button type="submit" className="primary" data-testid="send" disabled={busy}>{busy ? "Sending…" : "Send"}</button>
          {call && (
            <span className="row">
              <span className={`status-pill ${call.error ? "err" : "ok"}`} data-testid="send-status">{call.status ?? "no status"}</span>
              <span className="muted">{formatMs(call.durationMs)}</span>
            </span>
          )}
        </div>
      </form>
      {error && <div className="err" role="alert">{error}</div>}
      {call && (
        <div className="stack">
          <RequestBlock request={call.request} />
          <ResponseBlock status={call.status} response={call.response} error={call.error} category={call.category} />
        </div>
      )}
    </div>
  );
}
