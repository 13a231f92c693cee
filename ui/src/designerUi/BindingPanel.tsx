// The side panel for the selected field: private toggle, and for a bound field its mode
// (single or batch: key, match, max batch size), where each operation input comes from, the
// result path, a preview of the calls for a sample parent, Unbind and Try it.
import { useMemo, useState } from "react";
import type { ArgValue, Binding, EditResult, JsonValue, WorkspaceDoc } from "../designer";
import { addArgument, aggregate, removeArgument, setArgBinding, setBatch, setKeyBinding, setPrivate, setResult, unbind } from "../designer/ops";
import { previewBinding as preview } from "../designer/preview";
import { getSource, operationInputs } from "../designer/doc";
import type { CanvasProblem } from "../designer/canvas";

export type Apply = (r: EditResult, coalesce?: string) => void;

interface Props {
  doc: WorkspaceDoc;
  type: string;
  field: string;
  problems: readonly CanvasProblem[];
  apply: Apply;
  onTryIt: () => void;
}

type ArgKind = "" | "parent" | "argument" | "env" | "value";
const ARG_KINDS: { id: ArgKind; label: string }[] = [
  { id: "", label: "not sent" },
  { id: "parent", label: "parent field" },
  { id: "argument", label: "field argument" },
  { id: "env", label: "env variable" },
  { id: "value", label: "literal" },
];

function argKind(v: ArgValue | undefined): ArgKind {
  if (!v) return "";
  if ("parent" in v) return "parent";
  if ("argument" in v) return "argument";
  if ("env" in v) return "env";
  return "value";
}

function argText(v: ArgValue | undefined): string {
  if (!v) return "";
  if ("parent" in v) return v.parent;
  if ("argument" in v) return v.argument;
  if ("env" in v) return v.env;
  return typeof v.value === "string" ? v.value : JSON.stringify(v.value);
}

function makeArg(kind: ArgKind, text: string): ArgValue | null {
  switch (kind) {
    case "":
      return null;
    case "parent":
      return { parent: text };
    case "argument":
      return { argument: text };
    case "env":
      return { env: text };
    case "value": {
      try {
        return { value: JSON.parse(text) as JsonValue };
      } catch {
        return { value: text };
      }
    }
  }
}

/** A sample parent: the plain fields of the type with placeholder values. */
export function sampleParent(doc: WorkspaceDoc, type: string): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, f] of Object.entries(doc.schema.types[type]?.fields ?? {})) {
    if (f.binding) continue;
    const t = f.type.replace(/!/g, "");
    const scalar = t.replace(/[[\]]/g, "");
    const one: JsonValue = scalar === "Int" || scalar === "Float" ? 1 : scalar === "Boolean" ? true : `${name}-1`;
    out[name] = t.startsWith("[") ? [one, typeof one === "string" ? `${name}-2` : one] : one;
  }
  return out;
}

export function BindingPanel({ doc, type, field, problems, apply, onTryIt }: Props) {
  const def = doc.schema.types[type]?.fields[field];
  const [sample, setSample] = useState(() => JSON.stringify(sampleParent(doc, type), null, 1));
  if (!def) return null;
  const b = def.binding ?? null;
  return (
    <div className="stack" data-testid="designer-field-panel">
      <h3 className="mono">{type}.{field}: {def.type}</h3>
      <label className="switch">
        <input type="checkbox" data-testid="designer-private" checked={def.private === true} onChange={(e) => apply(setPrivate(doc, type, field, e.target.checked))} />
        Private (kept out of the public schema)
      </label>
      {problems.map((p, i) => (
        <div key={`${p.path}-${i}`} className="err" title={p.path}>{p.message}</div>
      ))}
      <FieldArguments doc={doc} type={type} field={field} apply={apply} />
      {type === "Mutation" && <AggregateEditor doc={doc} field={field} apply={apply} />}
      {def.aggregate ? null : b ? (
        <BindingEditor doc={doc} type={type} field={field} b={b} apply={apply} />
      ) : (
        <div className="muted">Not bound: the value is read from the parent's data. Select an operation, then this field, and Bind (or draw an edge).</div>
      )}
      {b && (
        <>
          <label>
            Sample parent (JSON)
            <textarea className="mono" rows={4} data-testid="designer-sample" value={sample} onChange={(e) => setSample(e.target.value)} />
          </label>
          <Preview doc={doc} type={type} field={field} sample={sample} />
          <div className="row">
            <button data-testid="designer-unbind" onClick={() => apply(unbind(doc, type, field))}>Unbind</button>
            <button data-testid="designer-tryit" onClick={onTryIt} title="Open a query for this field in the Query composer">Try it</button>
          </div>
        </>
      )}
    </div>
  );
}

/**
 * A `Mutation` field as an aggregated write: the operations it reaches (its targets, by
 * label), and a list of every operation to tick and bind all at once.
 */
export function AggregateEditor({ doc, field, apply }: { doc: WorkspaceDoc; field: string; apply: Apply }) {
  const def = doc.schema.types.Mutation?.fields[field];
  const all = Object.entries(doc.sources ?? {}).flatMap(([source, s]) =>
    Object.keys(s.operations ?? {}).map((operation) => ({ source, operation, id: `${source}.${operation}` })),
  );
  const current = Object.values(def?.aggregate?.targets ?? {}).map((t) => `${t.source}.${t.operation}`);
  const [picked, setPicked] = useState<string[]>(current);
  const toggle = (id: string, on: boolean) => setPicked((p) => (on ? [...p, id] : p.filter((x) => x !== id)));
  return (
    <details className="stack" data-testid="designer-aggregate" open={def?.aggregate ? true : undefined}>
      <summary>Aggregated write: reach several operations at once</summary>
      {def?.aggregate && (
        <ul className="mono" data-testid="designer-aggregate-targets">
          {Object.entries(def.aggregate.targets).map(([label, t]) => (
            <li key={label}>{label} → {t.source}.{t.operation}</li>
          ))}
        </ul>
      )}
      <div className="stack" style={{ maxHeight: 160, overflow: "auto" }}>
        {all.map((o) => (
          <label key={o.id} className="switch">
            <input type="checkbox" data-testid={`designer-aggregate-op-${o.id}`} checked={picked.includes(o.id)} onChange={(e) => toggle(o.id, e.target.checked)} />
            {o.id}
          </label>
        ))}
      </div>
      <button
        data-testid="designer-aggregate-bind"
        disabled={picked.length === 0}
        onClick={() => apply(aggregate(doc, "Mutation", field, all.filter((o) => picked.includes(o.id))))}
      >
        Bind to {picked.length} operation{picked.length === 1 ? "" : "s"}
      </button>
    </details>
  );
}

/** The field's GraphQL arguments: listed, removable, and a form to add one. */
export function FieldArguments({ doc, type, field, apply }: { doc: WorkspaceDoc; type: string; field: string; apply: Apply }) {
  const [name, setName] = useState("");
  const [argType, setArgType] = useState("ID!");
  const args = Object.entries(doc.schema.types[type]?.fields[field]?.arguments ?? {});
  return (
    <fieldset data-testid="designer-field-args">
      <legend>Arguments</legend>
      {args.length === 0 && <div className="muted">None.</div>}
      {args.map(([n, a]) => (
        <div key={n} className="row" data-testid={`designer-field-arg-${n}`}>
          <span className="mono grow">{n}: {a.type}</span>
          <button className="ghost" aria-label={`Remove argument ${n}`} title="Remove the argument" onClick={() => apply(removeArgument(doc, type, field, n))}>Remove</button>
        </div>
      ))}
      <form
        className="row"
        aria-label="New argument"
        onSubmit={(e) => {
          e.preventDefault();
          const r = addArgument(doc, type, field, name.trim(), argType.trim());
          apply(r);
          if (!r.error) setName("");
        }}
      >
        <input className="grow" placeholder="argument name" aria-label="Argument name" data-testid="designer-new-arg" value={name} onChange={(e) => setName(e.target.value)} />
        <input style={{ width: 80 }} list="dz-scalars" aria-label="Argument type" data-testid="designer-new-arg-type" value={argType} onChange={(e) => setArgType(e.target.value)} />
        <datalist id="dz-scalars">{["ID!", "ID", "String!", "String", "Int", "Float", "Boolean", "[ID!]"].map((t) => <option key={t} value={t} />)}</datalist>
        <button type="submit" data-testid="designer-add-arg" disabled={!name.trim() || !argType.trim()}>Add</button>
      </form>
    </fieldset>
  );
}

function BindingEditor({ doc, type, field, b, apply }: { doc: WorkspaceDoc; type: string; field: string; b: Binding; apply: Apply }) {
  const src = getSource(doc, b.source);
  const inputs = src ? Object.keys(operationInputs(src, b.operation)) : [];
  const siblings = Object.keys(doc.schema.types[type]?.fields ?? {}).filter((f) => f !== field);
  const key = b.key ?? null;
  const batch = b.batch ?? null;
  const matchField = batch && batch.match !== "order" ? batch.match.field : "";
  const at = `${type}.${field}`;
  const setKey = (parent: string, input: string) =>
    apply(setKeyBinding(doc, type, field, parent === "" && input === "" ? null : { parent, input }), `${at}.key`);
  const setMatch = (text: string, max: number | null | undefined) => {
    const match = text.trim() === "" ? ("order" as const) : { field: text };
    apply(setBatch(doc, type, field, max ? { match, maxBatchSize: max } : { match }), `${at}.batch`);
  };
  return (
    <div className="stack">
      <div className="mono">{b.source}·{b.operation}</div>
      <datalist id="dz-siblings">{siblings.map((s) => <option key={s} value={s} />)}</datalist>
      <datalist id="dz-inputs">{inputs.map((s) => <option key={s} value={s} />)}</datalist>
      <datalist id="dz-field-arg-names">{Object.keys(doc.schema.types[type]?.fields[field]?.arguments ?? {}).map((s) => <option key={s} value={s} />)}</datalist>
      <label className="switch">
        <input type="checkbox" data-testid="designer-batch-toggle" checked={batch !== null} onChange={(e) => apply(setBatch(doc, type, field, e.target.checked ? { match: "order" } : null))} />
        Batch (all keys in one call)
      </label>
      <div className="row">
        <label className="grow">
          Key parent field
          <input list="dz-siblings" data-testid="designer-key-parent" value={key?.parent ?? ""} onChange={(e) => setKey(e.target.value, key?.input ?? "")} />
        </label>
        <label className="grow">
          Key input
          <input list="dz-inputs" data-testid="designer-key-input" value={key?.input ?? ""} onChange={(e) => setKey(key?.parent ?? "", e.target.value)} />
        </label>
      </div>
      {batch && (
        <div className="row">
          <label className="grow">
            Match results by field
            <input data-testid="designer-match-field" placeholder="empty: by order" value={matchField} onChange={(e) => setMatch(e.target.value, batch.maxBatchSize)} />
          </label>
          <label>
            Max batch size
            <input type="number" min={1} data-testid="designer-max-batch" value={batch.maxBatchSize ?? ""} onChange={(e) => setMatch(matchField, e.target.value === "" ? null : Number(e.target.value))} />
          </label>
        </div>
      )}
      <fieldset>
        <legend>Operation inputs</legend>
        {inputs.filter((i) => i !== key?.input).length === 0 && <div className="muted">No other inputs.</div>}
        {inputs.filter((i) => i !== key?.input).map((input) => {
          const v = b.args?.[input];
          const kind = argKind(v);
          return (
            <div key={input} className="row" data-testid={`designer-arg-${input}`}>
              <span className="mono">{input}</span>
              <select value={kind} onChange={(e) => apply(setArgBinding(doc, type, field, input, makeArg(e.target.value as ArgKind, argText(v))))}>
                {ARG_KINDS.map((k) => <option key={k.id} value={k.id}>{k.label}</option>)}
              </select>
              {kind !== "" && (
                <input
                  className="grow"
                  list={kind === "argument" ? "dz-field-arg-names" : kind === "parent" ? "dz-siblings" : undefined}
                  value={argText(v)}
                  onChange={(e) => apply(setArgBinding(doc, type, field, input, makeArg(kind, e.target.value)), `${at}.arg.${input}`)}
                />
              )}
            </div>
          );
        })}
      </fieldset>
      <label>
        Result path (in the response)
        <input data-testid="designer-result" value={b.result ?? ""} placeholder="the whole response" onChange={(e) => apply(setResult(doc, type, field, e.target.value), `${at}.result`)} />
      </label>
    </div>
  );
}

function Preview({ doc, type, field, sample }: { doc: WorkspaceDoc; type: string; field: string; sample: string }) {
  const result = useMemo(() => {
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(sample) as JsonValue;
    } catch (e) {
      return { ok: false as const, error: `sample: ${e instanceof Error ? e.message : String(e)}` };
    }
    return preview(doc, type, field, parsed);
  }, [doc, type, field, sample]);
  return (
    <div data-testid="designer-preview">
      <strong>What the binding sends</strong>
      {!result.ok ? (
        <div className="err">{result.error}</div>
      ) : (
        <>
          <div className="muted">{result.mode === "batch" ? "One batch call" : "One call per key"}: {result.calls.length} call(s){result.missing.length > 0 ? `; missing: ${result.missing.join(", ")}` : ""}</div>
          <pre className="mono dz-preview">{result.calls.map((c) => JSON.stringify(c.inputs)).join("\n")}</pre>
        </>
      )}
    </div>
  );
}
