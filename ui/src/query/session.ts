// The Query screen's state, kept by App so it survives switching screens and so History
// can reopen a past run into it.
import type { RunResult, TraceView } from "../bindings";
import type { ArgValues } from "./build";

export interface QuerySession {
  /** The explorer's root: `Query`, or `Mutation` for a mutation document. */
  root: string;
  document: string;
  variables: string;
  selected: string[];
  args: ArgValues;
  /** The document the explorer produced last; edits that differ are the user's own. */
  generated: string;
  /** The saved operation (the workspace's `operations`) this tab was opened from or saved as. */
  savedAs?: string | null;
  result: {
    response: unknown;
    trace: TraceView | null;
    runId: string | null;
    /** What ran, so run figures are shown only while the editor still holds it. */
    ranDocument: string;
    ranVariables: string;
  } | null;
}

export const EMPTY_SESSION: QuerySession = {
  root: "Query",
  document: "",
  variables: "{}",
  selected: [],
  args: {},
  generated: "",
  result: null,
};

export function sessionFromRun(run: RunResult, document: string, variables: string): NonNullable<QuerySession["result"]> {
  return { response: run.response, trace: run.trace, runId: run.runId, ranDocument: document, ranVariables: variables };
}

/** Variables text -> object, or an error message. */
export function parseVariables(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return { ok: false, error: "Variables must be a JSON object" };
    return { ok: true, value: v as Record<string, unknown> };
  } catch (e) {
    return { ok: false, error: `Variables: ${e instanceof Error ? e.message : "invalid JSON"}` };
  }
}
