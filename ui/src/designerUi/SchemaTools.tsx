// The panel's schema edits: add a type, add a field to the selected type, and make a type from
// what the selected operation answers (with an optional sample response).
import { useState } from "react";
import type { JsonValue, WorkspaceDoc } from "../designer";
import { addField, addType, typeFromOperationOutput } from "../designer/ops";
import type { Apply } from "./BindingPanel";

interface Props {
  doc: WorkspaceDoc;
  type: string | null;
  op: { source: string; operation: string } | null;
  apply: Apply;
  onError: (message: string) => void;
}

export function SchemaTools({ doc, type, op, apply, onError }: Props) {
  const [typeName, setTypeName] = useState("");
  const [fieldName, setFieldName] = useState("");
  const [fieldType, setFieldType] = useState("String");
  const [outName, setOutName] = useState("");
  const [outSample, setOutSample] = useState("");
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
      <form className="row" onSubmit={(e) => { e.preventDefault(); apply(addType(doc, typeName.trim())); setTypeName(""); }}>
        <input className="grow" placeholder="New type name" data-testid="designer-new-type" value={typeName} onChange={(e) => setTypeName(e.target.value)} />
        <button type="submit" data-testid="designer-add-type" disabled={!typeName.trim()}>Add type</button>
      </form>
      {type && (
        <form className="row" onSubmit={(e) => { e.preventDefault(); apply(addField(doc, type, fieldName.trim(), fieldType)); setFieldName(""); }}>
          <input className="grow" placeholder={`New field of ${type}`} data-testid="designer-new-field" value={fieldName} onChange={(e) => setFieldName(e.target.value)} />
          <input style={{ width: 90 }} aria-label="Field type" data-testid="designer-new-field-type" value={fieldType} onChange={(e) => setFieldType(e.target.value)} />
          <button type="submit" data-testid="designer-add-field" disabled={!fieldName.trim()}>Add field</button>
        </form>
      )}
      {op && (
        <div className="stack">
          <div className="muted">Type from the output of {op.source}.{op.operation}</div>
          <input placeholder="Type name" data-testid="designer-output-type" value={outName} onChange={(e) => setOutName(e.target.value)} />
          <textarea className="mono" rows={3} placeholder="Sample response (JSON, optional)" value={outSample} onChange={(e) => setOutSample(e.target.value)} />
          <button data-testid="designer-type-from-output" disabled={!outName.trim()} onClick={fromOutput}>Make type</button>
        </div>
      )}
    </div>
  );
}
