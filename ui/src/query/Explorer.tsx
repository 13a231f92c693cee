// The field explorer: the public schema as a tree from a root (`Query`, or `Mutation` when the
// schema has one; a tab each). Ticking a field (or typing one of its arguments) selects it and
// its parents; unticking removes its subtree. Object fields open when ticked, and the children
// of a ticked field open too, so the next level of leaves is one click away. Arguments are
// drawn by type: an enum is a picker of its values, an input object a nested form of its
// fields (kept as "arg.field" texts, see build.ts), anything else a text box.
import { useMemo, useState } from "react";
import type { EnumView, FieldView, InputTypeView, SchemaTree, TypeView } from "../bindings";
import { MAX_INPUT_DEPTH, fragmentPath, type ArgValues } from "./build";
import { isListType, namedType } from "./types";

interface Props {
  schema: SchemaTree;
  /** The root type the tree starts from. */
  root: string;
  onRoot: (root: string) => void;
  selected: ReadonlySet<string>;
  args: ArgValues;
  onToggle: (path: string, on: boolean) => void;
  onArg: (path: string, name: string, value: string) => void;
}

const MAX_DEPTH = 12;
const ROOTS = ["Query", "Mutation"];

interface ArgSpec {
  name: string;
  type: string;
  required: boolean;
}

/** One argument (or a field of an input object argument) drawn by its type. */
function ArgInput({
  path,
  argKey,
  spec,
  values,
  enums,
  inputs,
  depth,
  onArg,
}: {
  path: string;
  argKey: string;
  spec: ArgSpec;
  values: Record<string, string>;
  enums: Map<string, EnumView>;
  inputs: Map<string, InputTypeView>;
  depth: number;
  onArg: Props["onArg"];
}) {
  const named = namedType(spec.type);
  const list = isListType(spec.type);
  const testid = `arg-${path}-${argKey}`;
  const label = `${path} argument ${argKey} (${spec.type})`;
  const text = values[argKey] ?? "";
  const enumType = enums.get(named);
  const inputType = inputs.get(named);
  const head = (
    <span className="name" title={spec.type}>
      {spec.name}
      {spec.required && <span className="req" title="required">*</span>}
    </span>
  );
  if (enumType && !list) {
    return (
      <div className="arg">
        {head}
        <select data-testid={testid} aria-label={label} value={text} onChange={(e) => onArg(path, argKey, e.target.value)}>
          <option value="">{spec.type}</option>
          {enumType.values.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      </div>
    );
  }
  if (inputType && !list && depth < MAX_INPUT_DEPTH) {
    return (
      <div className="arg-object" data-testid={`${testid}-form`}>
        <div className="arg">
          {head}
          <span className="type mono">{spec.type}</span>
        </div>
        <div className="arg-fields">
          {inputType.fields.map((f) => (
            <ArgInput
              key={f.name}
              path={path}
              argKey={`${argKey}.${f.name}`}
              spec={f}
              values={values}
              enums={enums}
              inputs={inputs}
              depth={depth + 1}
              onArg={onArg}
            />
          ))}
        </div>
      </div>
    );
  }
  return (
    <div className="arg">
      {head}
      <input
        data-testid={testid}
        placeholder={spec.type}
        aria-label={label}
        value={text}
        onChange={(e) => onArg(path, argKey, e.target.value)}
      />
    </div>
  );
}

export function Explorer({ schema, root: rootName, onRoot, selected, args, onToggle, onArg }: Props) {
  const types = useMemo(() => new Map<string, TypeView>(schema.types.map((t) => [t.name, t])), [schema]);
  const enums = useMemo(() => new Map<string, EnumView>((schema.enums ?? []).map((t) => [t.name, t])), [schema]);
  const inputs = useMemo(() => new Map<string, InputTypeView>((schema.inputs ?? []).map((t) => [t.name, t])), [schema]);
  const [open, setOpen] = useState<Map<string, boolean>>(new Map());
  const [filter, setFilter] = useState("");
  const roots = ROOTS.filter((r) => types.has(r));
  const root = types.get(rootName);
  const needle = filter.trim().toLowerCase();
  const rootFields = (root?.fields ?? []).filter((f) => needle === "" || f.name.toLowerCase().includes(needle));

  const isOpen = (path: string, parentTicked: boolean) => open.get(path) ?? (selected.has(path) || parentTicked);
  const toggleOpen = (path: string, current: boolean) => setOpen((m) => new Map(m).set(path, !current));

  // A fragment per possible type of an interface or union (`... on T`), its fields under it.
  const renderFragments = (type: TypeView, prefix: string, depth: number, parentTicked: boolean) =>
    type.possibleTypes.map((possible) => {
      const at = fragmentPath(prefix, possible);
      const target = types.get(possible);
      const ticked = selected.has(at);
      const expanded = !!target && depth < MAX_DEPTH && isOpen(at, parentTicked);
      return (
        <li key={at} role="treeitem" aria-expanded={expanded}>
          <div className="field-row fragment-row" title={`the fields of ${possible}, when an object is one`}>
            <button className="caret" aria-label={expanded ? "Collapse" : "Expand"} onClick={() => toggleOpen(at, expanded)}>
              {expanded ? "▾" : "▸"}
            </button>
            <label>
              <input type="checkbox" data-testid={`field-${at}`} checked={ticked} onChange={(e) => onToggle(at, e.target.checked)} />
              <span className="muted">… on</span> {possible}
            </label>
          </div>
          {expanded && target && renderFields(target, at, depth + 1, ticked)}
        </li>
      );
    });

  const renderFields = (type: TypeView, prefix: string, depth: number, parentTicked: boolean) => (
    <ul role="group">
      {renderFieldItems(type.fields, prefix, depth, parentTicked)}
      {renderFragments(type, prefix, depth, parentTicked)}
    </ul>
  );

  const renderFieldItems = (fields: FieldView[], prefix: string, depth: number, parentTicked: boolean) => (
    <>
      {fields.map((f) => {
        const path = prefix === "" ? f.name : `${prefix}.${f.name}`;
        const ticked = selected.has(path);
        const child = types.get(f.namedType);
        const expandable = !!child && f.isObject && depth < MAX_DEPTH;
        const expanded = expandable && isOpen(path, parentTicked);
        return (
          <li key={path} role="treeitem" aria-expanded={expandable ? expanded : undefined}>
            <div className="field-row" title={f.description || undefined}>
              {expandable ? (
                <button className="caret" aria-label={expanded ? "Collapse" : "Expand"} onClick={() => toggleOpen(path, expanded)}>
                  {expanded ? "▾" : "▸"}
                </button>
              ) : (
                <span className="caret" />
              )}
              <label>
                <input
                  type="checkbox"
                  data-testid={`field-${path}`}
                  checked={ticked}
                  onChange={(e) => onToggle(path, e.target.checked)}
                />
                {f.name}
              </label>
              <span className="type">{f.type}</span>
              {f.binding && (
                <span className="bound" title={`${f.binding.source} · ${f.binding.operation}${f.binding.batch ? " (batch)" : ""}`}>
                  {f.binding.source}
                </span>
              )}
            </div>
            {f.arguments.length > 0 && (
              <div className="args">
                {f.arguments.map((a) => (
                  <ArgInput
                    key={a.name}
                    path={path}
                    argKey={a.name}
                    spec={a}
                    values={args[path] ?? {}}
                    enums={enums}
                    inputs={inputs}
                    depth={0}
                    onArg={onArg}
                  />
                ))}
              </div>
            )}
            {expanded && child && renderFields(child, path, depth + 1, ticked)}
          </li>
        );
      })}
    </>
  );

  return (
    <section className="panel explorer" aria-label="Explorer">
      <div className="panel-head">
        <h3 className="grow">Explorer</h3>
        <input
          style={{ width: 110, maxWidth: "45%", padding: "1px 6px" }}
          placeholder="Filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter root fields"
        />
      </div>
      {roots.length > 1 && (
        <div className="tabs explorer-roots" role="tablist" aria-label="Root type">
          {roots.map((r) => (
            <button
              key={r}
              role="tab"
              aria-selected={r === rootName}
              className={r === rootName ? "active" : ""}
              data-testid={`explorer-root-${r}`}
              onClick={() => onRoot(r)}
            >
              {r}
            </button>
          ))}
        </div>
      )}
      <div className="panel-body" role="tree">
        {!root ? (
          <div className="muted">
            {rootName === "Query" ? "The schema has no Query type yet. Add a service and bind a field." : `The schema has no ${rootName} type.`}
          </div>
        ) : rootFields.length === 0 ? (
          <div className="muted">No field matches.</div>
        ) : (
          <ul role="group">{renderFieldItems(rootFields, "", 0, false)}</ul>
        )}
      </div>
    </section>
  );
}
