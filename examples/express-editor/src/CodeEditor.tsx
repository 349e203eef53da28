import * as monaco from 'monaco-editor';
import { useEffect, useRef } from 'react';

interface CodeEditorProps {
  model: monaco.editor.ITextModel | undefined;
  /** Gets the editor once it exists (and `null` when it goes), e.g. to read the cursor. */
  onEditor: (editor: monaco.editor.IStandaloneCodeEditor | null) => void;
}

monaco.languages.typescript.typescriptDefaults.setCompilerOptions({
  jsx: monaco.languages.typescript.JsxEmit.ReactJSX,
  target: monaco.languages.typescript.ScriptTarget.ES2020,
  allowNonTsExtensions: true,
});
// The sample project has no node_modules in the browser: skip "cannot find module 'react'".
monaco.languages.typescript.typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: true });

/** One Monaco editor that shows whichever project model is active. */
export function CodeEditor({ model, onEditor }: CodeEditorProps) {
  const element = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const latestOnEditor = useRef(onEditor);
  latestOnEditor.current = onEditor;

  useEffect(() => {
    if (!element.current) return;
    const created = monaco.editor.create(element.current, {
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
    });
    editor.current = created;
    latestOnEditor.current(created);
    return () => {
      latestOnEditor.current(null);
      editor.current = null;
      // Disposing the editor leaves the models alive: they belong to the project.
      created.dispose();
    };
  }, []);

  useEffect(() => {
    editor.current?.setModel(model ?? null);
  }, [model]);

  return <div ref={element} className="code-editor" data-testid="code-editor" />;
}
