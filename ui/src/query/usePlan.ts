// The plan of the document being edited: `query_plan` debounced, nothing runs.
import { useEffect, useRef, useState } from "react";
import type { PlanResult } from "../bindings";
import { api, errorMessage } from "../api";
import { parseVariables } from "./session";

export interface PlanState {
  result: PlanResult | null;
  error: string | null;
  pending: boolean;
}

export function usePlan(document: string, variables: string, operationName: string | null, workspaceKey: string, delayMs = 250): PlanState {
  const [state, setState] = useState<PlanState>({ result: null, error: null, pending: false });
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    if (document.trim() === "") {
      setState({ result: null, error: null, pending: false });
      return;
    }
    const vars = parseVariables(variables);
    if (!vars.ok) {
      setState((s) => ({ ...s, error: vars.error, pending: false }));
      return;
    }
    setState((s) => ({ ...s, pending: true }));
    const timer = window.setTimeout(() => {
      api.queryPlan({ document, operationName, variables: vars.value }).then(
        (result) => mine === seq.current && setState({ result, error: null, pending: false }),
        (e) => mine === seq.current && setState({ result: null, error: errorMessage(e), pending: false }),
      );
    }, delayMs);
    return () => window.clearTimeout(timer);
  }, [document, variables, operationName, workspaceKey, delayMs]);
  return state;
}
