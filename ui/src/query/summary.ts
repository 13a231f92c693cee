// What a History row says about a run: the operation's name or its first field, the first
// field with its arguments as written, and the variables it ran with, read from the recorded
// document without a full GraphQL parse (a small scan that skips strings and comments).

export interface RunSummaryText {
  /** The operation's name, else the first field's name, else "anonymous". */
  title: string;
  /** `getOrderDetails(id: $id)`: the first field and its arguments (whitespace folded). */
  call: string;
  /** The variables as compact JSON, or "" when there are none. */
  variables: string;
}

const NAME = /[_A-Za-z][_0-9A-Za-z]*/y;

/** Index just after the string literal starting at `i` (block strings included). */
function skipString(text: string, i: number): number {
  if (text.startsWith('"""', i)) {
    const end = text.indexOf('"""', i + 3);
    return end < 0 ? text.length : end + 3;
  }
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
  return j + 1;
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text[j];
    if (c === "#") {
      while (j < text.length && text[j] !== "\n") j++;
    } else if (c === " " || c === "\n" || c === "\r" || c === "\t" || c === ",") {
      j++;
    } else break;
  }
  return j;
}

function nameAt(text: string, i: number): string | null {
  NAME.lastIndex = i;
  const m = NAME.exec(text);
  return m ? m[0] : null;
}

/** The first field of the first selection set and its arguments' text, or null. */
function firstField(text: string): { name: string; args: string } | null {
  let i = 0;
  while (i < text.length && text[i] !== "{") {
    if (text[i] === '"') i = skipString(text, i);
    else if (text[i] === "#") i = skipSpace(text, i);
    else i++;
  }
  if (i >= text.length) return null;
  i = skipSpace(text, i + 1);
  let name = nameAt(text, i);
  if (!name) return null;
  i = skipSpace(text, i + name.length);
  if (text[i] === ":") {
    i = skipSpace(text, i + 1);
    const real = nameAt(text, i);
    if (!real) return null;
    name = real;
    i = skipSpace(text, i + real.length);
  }
  if (text[i] !== "(") return { name, args: "" };
  const start = i + 1;
  let depth = 1;
  let j = start;
  while (j < text.length && depth > 0) {
    const c = text[j];
    if (c === '"') {
      j = skipString(text, j);
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")") depth--;
    j++;
  }
  return { name, args: text.slice(start, Math.max(start, j - 1)).replace(/\s+/g, " ").trim() };
}

export function summarizeRun(document: string, operation: string | null, variables: unknown): RunSummaryText {
  const first = firstField(document);
  const vars =
    variables !== null && typeof variables === "object" && !Array.isArray(variables) && Object.keys(variables).length > 0
      ? JSON.stringify(variables)
      : "";
  return {
    title: operation ?? first?.name ?? "anonymous",
    call: first ? (first.args !== "" ? `${first.name}(${first.args})` : first.name) : "",
    variables: vars,
  };
}
