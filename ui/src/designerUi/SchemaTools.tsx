// The panel's schema edits: add a type, add a field to a type (the selected one, chosen in the
// form: an empty type, a new workspace's Query, gets its first field here), and make a type
// from what the selected operation answers (with an optional sample response).
import { useState } from "react";
import type { JsonValue, WorkspaceDoc } from "../designer";
import { BUILTIN_SCALARS } from "../designer/types";
import { addField, addType, typeFromOperationOutput } from "../designer/ops";
import { exposeOperations } from "../designer/expose";
import { addEnum, addInput, addUnion } from "../designer/kinds";

type Kind = "object" | "enum" | "union" | "input";

const DETAIL: Record<Exclude<Kind, "object">, string> = {
  enum: "values: placed, shipped",
  union: "members: User | Product",
  input: "fields: id: ID!, tags: [String!]",
};
import type { Apply } from "./BindingPanel";

interface Props {
  doc: WorkspaceDoc;
  /** The type new fields go to (null when there is no type at all). */
  type: string | null;
  onType: (type: string) => void;
  op: { source: string; operation: string } | null;
  apply: Apply;
  onError: (message: string) => void;
}

export function SchemaTools({ doc, type, onType, op, apply, onError }: Props) {
  const [typeName, setTypeName] = useState("");
  const [fieldName, setFieldName] = useState("");
  const [fieldType, setFieldType] = useState("String");
  const [outName, setOutName] = useState("");
  const [outSample, setOutSample] = useState("");
  const [kind, setKind] = useState<Kind>("object");
  const [detail, setDetail] = useState("");
  const [discriminator, setDiscriminator] = useState("");
  const addKind = () => {
    const name = typeName.trim();
    const result =
      kind === "enum"
        ? addEnum(doc, name, detail)
        : kind === "union"
          ? addUnion(doc, name, detail, discriminator)
          : kind === "input"
            ? addInput(doc, name, detail)
            : addType(doc, name);
    apply(result);
    if (!result.error) {
      setTypeName("");
      setDetail("");
    }
  };
  const fromOutput = () => {
    if (!op) return;
    let sample: JsonValue | undefined;
    if (outSample.trim() !== "") {
      try {
        sample = JSON.parse(outSample) as JsonValue;
      } catch (e) {
        onError(`sample response: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
    apply(typeFromOperationOutput(doc, op.source, op.operation, outName.trim(), sample));
  };
  return (
    <div className="stack">
      <form className="stack" aria-label="New type" onSubmit={(e) => { e.preventDefault(); addKind(); }}>
        <div className="row">
          <select aria-label="Kind of the new type" data-testid="designer-new-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="object">Object</option>
            <option value="enum">Enum</option>
            <option value="union">Union</option>
            <option value="input">Input</option>
          </select>
          <input className="grow" placeholder="New type name" data-testid="designer-new-type" value={typeName} onChange={(e) => setTypeName(e.target.value)} />
          <button type="submit" data-testid="designer-add-type" disabled={!typeName.trim()}>Add {kind === "object" ? "type" : kind}</button>
        </div>
        {kind !== "object" && (
          <div className="row">
            <input
              className="grow mono"
              data-testid="designer-new-kind-detail"
              aria-label={DETAIL[kind]}
              placeholder={DETAIL[kind]}
              value={detail}
              onChange={(e) => setDetail(e.target.value)}
            />
            {kind === "union" && (
              <input
                style={{ width: 110 }}
                data-testid="designer-new-union-discriminator"
                aria-label="Discriminator field (optional)"
                placeholder="discriminator"
                title="A field of the downstream objects that names their type (e.g. kind); empty: __typename"
                value={discriminator}
                onChange={(e) => setDiscriminator(e.target.value)}
              />
            )}
          </div>
        )}
      </form>
      {type && (
        <form className="stack" aria-label="New field" onSubmit={(e) => { e.preventDefault(); apply(addField(doc, type, fieldName.trim(), fieldType.trim())); setFieldName(""); }}>
          <div className="row">
            <span className="muted">New field of</span>
            <select aria-label="Type of the new field" data-testid="designer-new-field-parent" value={type} onChange={(e) => onType(e.target.value)}>
              {Object.keys(doc.schema.types).map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </div>
          <div className="row">
            <input className="grow" placeholder="field name" aria-label="Field name" data-testid="designer-new-field" value={fieldName} onChange={(e) => setFieldName(e.target.value)} />
            <input style={{ width: 96 }} list="dz-field-types" aria-label="Field type" title="GraphQL type, e.g. String, ID!, [Product!]!" data-testid="designer-new-field-type" value={fieldType} onChange={(e) => setFieldType(e.target.value)} />
            <datalist id="dz-field-types">
              {[
                ...BUILTIN_SCALARS,
                ...Object.keys(doc.schema.types),
                ...Object.keys(doc.schema.enums ?? {}),
                ...Object.keys(doc.schema.unions ?? {}),
                ...Object.keys(doc.schema.interfaces ?? {}),
                ...Object.keys(doc.schema.scalars ?? {}),
              ].map((t) => <option key={t} value={t} />)}
            </datalist>
            <button type="submit" data-testid="designer-add-field" disabled={!fieldName.trim() || !fieldType.trim()}>Add field</button>
          </div>
        </form>
      )}
      {op && (
        <div className="stack">
          <div className="muted">Type from the output of {op.source}.{op.operation}</div>
          <input placeholder="Type name" data-testid="designer-output-type" value={outName} onChange={(e) => setOutName(e.target.value)} />
          <textarea className="mono" rows={3} placeholder="Sample response (JSON, optional)" value={outSample} onChange={(e) => setOutSample(e.target.value)} />
          <button data-testid="designer-type-from-output" disabled={!outName.trim()} onClick={fromOutput}>Make type</button>
          <div className="muted">Pass-through: a root field bound to the operation, its inputs as arguments, its answer as JSON</div>
          <div className="row">
            <button data-testid="designer-expose-op" onClick={() => apply(exposeOperations(doc, [op]))}>
              Expose {op.operation}
            </button>
            <button
              data-testid="designer-expose-source"
              title={`Every operation of ${op.source} not yet bound to a root field`}
              onClick={() => apply(exposeOperations(doc, unexposed(doc, op.source)))}
            >
              Expose all of {op.source}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/** The operations of `source` no root field is bound to yet. */
function unexposed(doc: WorkspaceDoc, source: string): { source: string; operation: string }[] {
  const bound = new Set<string>();
  for (const root of ["Query", "Mutation"]) {
    for (const f of Object.values(doc.schema.types[root]?.fields ?? {})) {
      if (f.binding?.source === source) bound.add(f.binding.operation);
    }
  }
  return Object.keys(doc.sources?.[source]?.operations ?? {})
    .filter((operation) => !bound.has(operation))
    .map((operation) => ({ source, operation }));
}
