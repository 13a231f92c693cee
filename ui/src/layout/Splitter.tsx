// A splitter between two panes: drag it with the pointer (the pane sizes follow while it
// moves), or focus it and use the arrow keys (16 px a press); double-click gives the panes back
// their automatic sizes where the screen has them.
import { useRef } from "react";

interface Props {
  /** "vertical": a bar between columns (drags left/right); "horizontal": between rows. */
  orientation: "vertical" | "horizontal";
  testid: string;
  label: string;
  /** Called when a drag starts (the caller keeps the sizes it started from). */
  onStart: () => void;
  /** The pointer's distance from where the drag started, px along the drag axis. */
  onDrag: (delta: number) => void;
  /** The drag ended: the caller saves the sizes. */
  onEnd: () => void;
  onReset?: () => void;
}

const KEY_STEP = 16;

export function Splitter({ orientation, testid, label, onStart, onDrag, onEnd, onReset }: Props) {
  const start = useRef<number | null>(null);
  const along = (e: { clientX: number; clientY: number }) => (orientation === "vertical" ? e.clientX : e.clientY);
  return (
    <div
      className={`splitter ${orientation}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      title={`${label} (drag; double-click to reset)`}
      tabIndex={0}
      data-testid={testid}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.currentTarget.setPointerCapture?.(e.pointerId);
        start.current = along(e);
        onStart();
      }}
      onPointerMove={(e) => {
        if (start.current !== null) onDrag(along(e) - start.current);
      }}
      onPointerUp={(e) => {
        if (start.current === null) return;
        e.currentTarget.releasePointerCapture?.(e.pointerId);
        start.current = null;
        onEnd();
      }}
      onDoubleClick={onReset}
      onKeyDown={(e) => {
        const back = orientation === "vertical" ? "ArrowLeft" : "ArrowUp";
        const fwd = orientation === "vertical" ? "ArrowRight" : "ArrowDown";
        if (e.key !== back && e.key !== fwd) return;
        e.preventDefault();
        onStart();
        onDrag(e.key === fwd ? KEY_STEP : -KEY_STEP);
        onEnd();
      }}
    />
  );
}
