export function ShellMissing() {
  return (
    <div className="centre" data-testid="shell-missing">
      <div className="shell-missing">
        <div className="logo">⌘ Knot</div>
        <h2>Knot needs its desktop shell</h2>
        <p className="muted">
          This page is Knot's user interface. It talks to the Knot core through the desktop
          app's commands, which are not available in a plain browser.
        </p>
        <p className="muted">
          Start the app with <code>make run</code> (or <code>cargo tauri dev</code>), or use the
          command line: <code>knot run examples/shop.knot.json --query …</code>
        </p>
      </div>
    </div>
  );
}
