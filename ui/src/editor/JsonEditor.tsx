// CodeMirror 6 for JSON (a request body): highlighting, bracket matching, and parse errors
// marked where they are. Loaded lazily, like the GraphQL editor.
import { useMemo } from "react";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter } from "@codemirror/lint";

export interface JsonEditorProps {
  value: string;
  onChange: (value: string) => void;
  dark: boolean;
  label: string;
  testId?: string;
}

export default function JsonEditor({ value, onChange, dark, label, testId }: JsonEditorProps) {
  const extensions = useMemo(() => [json(), linter(jsonParseLinter()), EditorView.lineWrapping], []);
  return (
    <div className="json-editor" data-testid={testId}>
      <CodeMirror
        value={value}
        minHeight="120px"
        maxHeight="320px"
        theme={dark ? "dark" : "light"}
        extensions={extensions}
        onChange={onChange}
        basicSetup={{ foldGutter: false, highlightActiveLineGutter: false }}
        aria-label={label}
      />
    </div>
  );
}
