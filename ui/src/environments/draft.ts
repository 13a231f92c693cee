// The environment editor's draft: rows as typed, validated before `environment_save`. A
// secret row starts with an empty value (its value is never sent to the UI); left empty it
// keeps the stored value, typed it replaces it, so the draft never needs the secret.
import type { EnvironmentView, EnvVariableInput } from "../bindings";

export interface DraftRow {
  key: number;
  name: string;
  value: string;
  secret: boolean;
  /** For a secret loaded from the store: a value is stored. */
  stored: boolean;
}

let nextKey = 1;

export function newRow(): DraftRow {
  return { key: nextKey++, name: "", value: "", secret: false, stored: false };
}

export function draftOf(env: EnvironmentView): DraftRow[] {
  return env.variables.map((v) => ({ key: nextKey++, name: v.name, value: v.value, secret: v.secret, stored: v.stored }));
}

/** What is wrong with the draft (empty when it can be saved). */
export function draftProblems(envName: string, rows: readonly DraftRow[]): string[] {
  const problems: string[] = [];
  if (!envName.trim()) problems.push("The environment needs a name.");
  const seen = new Set<string>();
  for (const r of rows) {
    const name = r.name.trim();
    if (!name) problems.push("Every variable needs a name.");
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.push(`\`${name}\`: letters, digits and _ only.`);
    else if (seen.has(name)) problems.push(`\`${name}\` is listed twice.`);
    seen.add(name);
  }
  return [...new Set(problems)];
}

export function toInputs(rows: readonly DraftRow[]): EnvVariableInput[] {
  return rows.map((r) => ({ name: r.name.trim(), value: r.value, secret: r.secret }));
}
