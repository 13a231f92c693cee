// The field explorer: the public schema as a tree from Query. Ticking a field (or typing one
// of its arguments) selects it and its parents; unticking removes its subtree. Object
// fields open when ticked, and the children of a ticked field open too, so the next level
// of leaves is one click away.
import { useMemo, useState } from "react";
import type { FieldView, SchemaTree, TypeView } from "../bindings";
import type { ArgValues } from "./build";

interface Props {
  schema: SchemaTree;
  selected: ReadonlySet<string>;
  args: ArgValues;
  onToggle: (path: string, on: boolean) => void;
  onArg: (path: string, name: string, value: string) => void;
}

const MAX_DEPTH = 12;

export function Explorer({ schema, selected, args, onToggle, onArg }: Props) {
  const types = useMemo(() => new Map<string, TypeView>(schema.types.map((t) => [t.name, t])), [schema]);
  const [open, setOpen] = useState<Map<string, boolean>>(new Map());
  const [filter, setFilter] = useState("");
  const root = types.get("Query");
  const needle = filter.trim().toLowerCase();
  const rootFields = (root?.fields ?? []).filter((f) => needle === "" || f.name.toLowerCase().includes(needle));

  const isOpen = (path: string, parentTicked: boolean) => open.get(path) ?? (selected.has(path) || parentTicked);
  const toggleOpen = (path: string, current: boolean) => setOpen((m) => new Map(m).set(path, !current));

  const renderFields = (fields: FieldView[], prefix: string, depth: number, parentTicked: boolean) => (
    <ul role="group">
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
                  <div className="arg" key={a.name}>
                    <span className="name">
                      {a.name}
                      {a.required && <span className="req" title="required">*</span>}
                    </span>
                    <input
                      data-testid={`arg-${path}-${a.name}`}
                      placeholder={a.type}
                      aria-label={`${path} argument ${a.name} (${a.type})`}
                      value={args[path]?.[a.name] ?? ""}
                      onChange={(e) => onArg(path, a.name, e.target.value)}
                    />
                  </div>
                ))}
              </div>
            )}
            {expanded && child && renderFields(child.fields, path, depth + 1, ticked)}
          </li>
        );
      })}
    </ul>
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
      <div className="panel-body" role="tree">
        {!root ? (
          <div className="muted">The schema has no Query type yet. Add a service and bind a field.</div>
        ) : rootFields.length === 0 ? (
          <div className="muted">No field matches.</div>
        ) : (
          renderFields(rootFields, "", 0, false)
        )}
      </div>
    </section>
  );
}
