import { useEffect, type ReactNode } from "react";
import { createPortal } from "react-dom";

export function Modal(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; testId?: string }) {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  // On the body, so no panel's overflow or stacking can cut it.
  return createPortal(
    <div className="modal-back" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={props.wide ? "modal wide" : "modal"} role="dialog" aria-label={props.title} data-testid={props.testId}>
        <div className="row">
          <h2 className="grow">{props.title}</h2>
          <button className="ghost" onClick={onClose} aria-label="Close">✕</button>
        </div>
        {props.children}
      </div>
    </div>,
    document.body,
  );
}

export function Drawer(props: { title: string; onClose: () => void; children: ReactNode; testId?: string }) {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <aside className="drawer" data-testid={props.testId}>
      <div className="panel-head">
        <strong className="grow">{props.title}</strong>
        <button className="ghost" onClick={onClose} aria-label="Close">✕</button>
      </div>
      <div className="panel-body stack">{props.children}</div>
    </aside>
  );
}
