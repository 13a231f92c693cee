// The request and response of one downstream call (a span or an operation_send result).
import type { RequestView } from "../bindings";

export function prettyBody(text: string | null): string {
  if (text === null) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function RequestBlock({ request }: { request: RequestView }) {
  return (
    <div className="stack">
      <h3>Request</h3>
      <div className="mono">
        <strong>{request.method}</strong> {request.target}
      </div>
      {request.headers.length > 0 && (
        <dl className="kv">
          {request.headers.map(([k, v], i) => (
            <div key={i} style={{ display: "contents" }}>
              <dt>{k}</dt>
              <dd className="mono">{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {request.body !== null && request.body !== undefined && (
        <pre className="code-box">{JSON.stringify(request.body, null, 2)}</pre>
      )}
    </div>
  );
}

export function ResponseBlock(props: { status: string | null; response: string | null; error: string | null; category: string | null }) {
  return (
    <div className="stack">
      <h3>Response</h3>
      <div className="row">
        <span className={`status-pill ${props.error ? "err" : "ok"}`}>{props.status ?? "no status"}</span>
        {props.category && <span className="chip err">{props.category}</span>}
      </div>
      {props.error && <div className="err">{props.error}</div>}
      {props.response !== null ? (
        <pre className="code-box">{prettyBody(props.response)}</pre>
      ) : (
        <span className="muted">No body recorded.</span>
      )}
    </div>
  );
}
