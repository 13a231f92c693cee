// CodeMirror 6 with cm6-graphql: completion, linting and hover docs from the workspace's
// public SDL. Loaded lazily (its own chunk) so the shell paints before the editor arrives.
import { useMemo, useRef } from "react";
import CodeMirror, { EditorView, keymap, Prec, type EditorState } from "@uiw/react-codemirror";
import { graphql } from "cm6-graphql";
import { linter, type Diagnostic } from "@codemirror/lint";
import { schemaFrom } from "./schema";
import { isBlankDocument } from "./blank";

/** No lint marks or tooltips while the document is blank (the placeholder is showing). */
const quietWhenBlank = (diagnostics: readonly Diagnostic[], state: EditorState): Diagnostic[] =>
  isBlankDocument(state.doc.toString()) ? [] : [...diagnostics];

export interface GraphqlEditorProps {
  value: string;
  sdl: string;
  onChange: (value: string) => void;
  onRun: () => void;
  dark: boolean;
}

export default function GraphqlEditor({ value, sdl, onChange, onRun, dark }: GraphqlEditorProps) {
  const schema = useMemo(() => schemaFrom(sdl), [sdl]);
  // A ref, so a new onRun (every keystroke) does not reconfigure the editor.
  const runRef = useRef(onRun);
  runRef.current = onRun;
  const extensions = useMemo(
    () => [
      graphql(schema),
      linter(null, { markerFilter: quietWhenBlank, tooltipFilter: quietWhenBlank }),
      EditorView.lineWrapping,
      // Mod-Enter would insert a blank line by default: running wins.
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (runRef.current(), true) }])),
    ],
    [schema],
  );
  return (
    <CodeMirror
      value={value}
      height="100%"
      theme={dark ? "dark" : "light"}
      extensions={extensions}
      onChange={onChange}
      placeholder="# Tick fields in the explorer or type a query. Ctrl+Enter runs."
      basicSetup={{ foldGutter: false, highlightActiveLineGutter: false }}
      aria-label="GraphQL query"
    />
  );
}

export function ReadOnlyGraphql({ value, dark }: { value: string; dark: boolean }) {
  const extensions = useMemo(() => [graphql(), EditorView.lineWrapping], []);
  return (
    <CodeMirror value={value} height="100%" theme={dark ? "dark" : "light"} editable={false} readOnly extensions={extensions} />
  );
}
