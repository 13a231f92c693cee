// One raw call to one operation, as an API client's Send: the operation's inputs in a table per
// place (path, query, headers, body; message fields; variables), required inputs checked before
// anything is sent (an empty one is marked where it is, and no call is made), then the
// response's status, time and size, its body, the request as sent, and the request as a cURL
// (or grpcurl) command to copy.
import { useEffect, useMemo, useState, type ReactNode } from "react";
import type { CallView, OperationView, SourceView } from "../bindings";
import type { WorkspaceDoc } from "../designer/types";
import { own } from "../designer/doc";
import { api, errorMessage } from "../api";
import { inputValues } from "./inputs";
import { PLACE_LABEL, formatBytes, groupByPlace, inputPlaces, missingRequired, requestCommand } from "./request";
import { RequestBlock, ResponseBlock } from "../components/CallDetail";
import { formatMs } from "../result/waterfall";

type View = "response" | "request" | "curl";

interface Props {
  source: SourceView;
  operation: OperationView;
  doc: WorkspaceDoc | null;
  /** Rename/delete controls of the operation, drawn in the header. */
  actions?: ReactNode;
}

export function OperationSender({ source, operation, doc, actions }: Props) {
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const [call, setCall] = useState<CallView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [view, setView] = useState<View>("response");
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => {
    setTexts({});
    setMissing([]);
    setCall(null);
    setError(null);
    setCopied(null);
  }, [source.name, operation.name]);

  const places = useMemo(
    () => inputPlaces(doc ? own(doc.sources, source.name) : undefined, operation.name, operation.inputs),
    [doc, source.name, operation.name, operation.inputs],
  );
  const groups = groupByPlace(operation.inputs, places);

  const send = () => {
    const empty = missingRequired(operation.inputs, texts);
    setMissing(empty);
    if (empty.length > 0) {
      document.querySelector<HTMLInputElement>(`[data-testid="send-input-${empty[0]}"]`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setCopied(null);
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

  const command = call ? requestCommand(call.request) : "";
  const copy = () => {
    const done = () => setCopied("Copied to the clipboard.");
    const failed = () => setCopied("The clipboard is not available: select the command and copy it.");
    if (navigator.clipboard) navigator.clipboard.writeText(command).then(done, failed);
    else failed();
  };

  return (
    <div className="stack sender" data-testid="operation-sender">
      <div className="row wrap">
        <h2 className="grow sender-title">
          {source.name} · {operation.name}
        </h2>
        {actions}
      </div>
      <div className="request-line mono" data-testid="send-summary">
        {operation.summary}
      </div>
      <form
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        {operation.inputs.length === 0 && <div className="muted">This operation takes no input.</div>}
        {groups.map(([place, inputs]) => (
          <fieldset key={place} className="params" data-testid={`send-group-${place}`}>
            <legend>{PLACE_LABEL[place]}</legend>
            <table className="grid params-table">
              <tbody>
                {inputs.map((i) => {
                  const isMissing = missing.includes(i.name);
                  return (
                    <tr key={i.name}>
                      <th scope="row" className="mono">
                        {i.name}
                        {i.required && <span className="err" title="required"> *</span>}
                      </th>
                      <td className="mono muted type-cell">{i.type}</td>
                      <td className="value-cell">
                        <input
                          data-testid={`send-input-${i.name}`}
                          aria-label={`${i.name} (${i.type})`}
                          aria-invalid={isMissing}
                          className={isMissing ? "invalid" : undefined}
                          placeholder={i.required ? "required" : "optional"}
                          value={texts[i.name] ?? ""}
                          onChange={(e) => {
                            const value = e.target.value;
                            setTexts((t) => ({ ...t, [i.name]: value }));
                            if (value.trim() !== "") setMissing((m) => m.filter((n) => n !== i.name));
                          }}
                        />
                        {isMissing && (
                          <div className="err field-error" role="alert" data-testid={`send-missing-${i.name}`}>
                            {i.name} is required: nothing was sent.
                          </div>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </fieldset>
        ))}
        <div className="row wrap">
          <button type="submit" className="primary" data-testid="send" disabled={busy}>
            {busy ? "Sending…" : "Send"}
          </button>
          {call && (
            <span className="row wrap response-figures">
              <span className={`status-pill ${call.error ? "err" : "ok"}`} data-testid="send-status">
                {call.status ?? "no status"}
              </span>
              <span className="muted" data-testid="send-time" title="Time from sending to the whole answer">
                {formatMs(call.durationMs)}
              </span>
              <span className="muted" data-testid="send-size" title="Size of the response body">
                {formatBytes(call.bytes)}
              </span>
            </span>
          )}
        </div>
      </form>
      {error && (
        <div className="err" role="alert">
          {error}
        </div>
      )}
      {call && (
        <div className="stack">
          <div className="tabs" role="tablist">
            {(["response", "request", "curl"] as View[]).map((v) => (
              <button
                key={v}
                role="tab"
                aria-selected={view === v}
                className={view === v ? "active" : ""}
                data-testid={`send-view-${v}`}
                onClick={() => setView(v)}
              >
                {v === "response" ? "Response" : v === "request" ? "Request" : call.request.method.toLowerCase() === "grpc" ? "grpcurl" : "cURL"}
              </button>
            ))}
          </div>
          {view === "response" ? (
            <ResponseBlock status={call.status} response={call.response} error={call.error} category={call.category} />
          ) : view === "request" ? (
            <RequestBlock request={call.request} />
          ) : (
            <div className="stack">
              <pre className="code-box" data-testid="send-command">
                {command}
              </pre>
              <div className="row">
                <button data-testid="copy-command" onClick={copy}>
                  Copy
                </button>
                {copied && <span className="muted" role="status">{copied}</span>}
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
