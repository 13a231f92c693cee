// Running the current document: a run id, live node states from `run-progress`, cancel.
import { useCallback, useEffect, useRef, useState } from "react";
import type { RunResult } from "../bindings";
import { api, ApiFailure, errorMessage, newRunId, onRunProgress } from "../api";
import type { NodeState } from "../plan/stats";
import { parseVariables } from "./session";

export interface RunState {
  runId: string | null;
  progress: Map<number, NodeState>;
  error: string | null;
  /** Set when the last run was cancelled (by the person: not an error). */
  cancelled: boolean;
  startedAt: number | null;
}

/** What a failed run says: nothing for a cancelled run (it is shown as cancelled), else the error. */
export function runFailure(e: unknown): { cancelled: true } | { cancelled: false; error: string } {
  if (e instanceof ApiFailure && e.code === "cancelled") return { cancelled: true };
  return { cancelled: false, error: errorMessage(e) };
}

export function useRun(onResult: (run: RunResult, document: string, variables: string) => void) {
  const [state, setState] = useState<RunState>({ runId: null, progress: new Map(), error: null, cancelled: false, startedAt: null });
  const current = useRef<string | null>(null);

  useEffect(() => {
    let unlisten: (() => void) | null = null;
    let gone = false;
    onRunProgress((p) => {
      if (p.runId !== current.current) return;
      setState((s) => ({ ...s, progress: new Map(s.progress).set(p.node, p.state) }));
    }).then((u) => (gone ? u() : (unlisten = u)));
    return () => {
      gone = true;
      unlisten?.();
    };
  }, []);

  const run = useCallback(
    (document: string, variables: string, operationName: string | null) => {
      if (current.current !== null || document.trim() === "") return;
      const vars = parseVariables(variables);
      if (!vars.ok) {
        setState((s) => ({ ...s, error: vars.error }));
        return;
      }
      const runId = newRunId();
      current.current = runId;
      setState({ runId, progress: new Map(), error: null, cancelled: false, startedAt: performance.now() });
      api.queryRun(runId, { document, operationName, variables: vars.value }).then(
        (result) => {
          current.current = null;
          setState((s) => ({ ...s, runId: null, startedAt: null }));
          onResult(result, document, variables);
        },
        (e) => {
          current.current = null;
          const f = runFailure(e);
          setState((s) => ({ ...s, runId: null, startedAt: null, cancelled: f.cancelled, error: f.cancelled ? null : f.error }));
        },
      );
    },
    [onResult],
  );

  const cancel = useCallback(() => {
    const id = current.current;
    if (id) void api.queryCancel(id).catch(() => undefined);
  }, []);

  const clearError = useCallback(() => setState((s) => ({ ...s, error: null, cancelled: false })), []);
  return { state, run, cancel, clearError };
}
