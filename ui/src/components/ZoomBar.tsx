// The toolbar below a React Flow canvas (the fan-out graph, the designer): how to move, zoom
// out, the zoom, zoom in, and Fit. Below the canvas, not over it: nothing drawn is ever hidden
// under a control. Inside a ReactFlowProvider.
import type { ReactNode } from "react";
import { useReactFlow, useStore } from "@xyflow/react";

export interface ZoomBarProps {
  /** The toolbar's accessible name. */
  label: string;
  /** `data-testid`s are `<testId>-zoom`, `-zoom-in`, `-zoom-out` and `-fit`. */
  testId: string;
  onFit: () => void;
  fitTitle: string;
  /** How to move around (the default: drag to pan, scroll to zoom). */
  hint?: string;
  /** Tools of this canvas (the designer's search), after the hint. */
  children?: ReactNode;
}

export function ZoomBar({ label, testId, onFit, fitTitle, hint, children }: ZoomBarProps) {
  const { zoomIn, zoomOut } = useReactFlow();
  const zoom = useStore((s) => s.transform[2]);
  return (
    <div className="plan-tools" role="toolbar" aria-label={label}>
      <span className="muted hint">{hint ?? "drag to pan · scroll to zoom"}</span>
      {children}
      <span className="grow" />
      <button className="ghost" onClick={() => void zoomOut()} title="Zoom out" aria-label="Zoom out" data-testid={`${testId}-zoom-out`}>
        −
      </button>
      <span className="mono zoom" title="Zoom" data-testid={`${testId}-zoom`}>
        {Math.round(zoom * 100)}%
      </span>
      <button className="ghost" onClick={() => void zoomIn()} title="Zoom in" aria-label="Zoom in" data-testid={`${testId}-zoom-in`}>
        +
      </button>
      <button className="ghost" onClick={onFit} title={fitTitle} data-testid={`${testId}-fit`}>
        Fit
      </button>
    </div>
  );
}
