import { FragmentPreview, type PreviewFragment } from '@fragmentkit/react';
import type * as monaco from 'monaco-editor';
import { useCallback, useDeferredValue, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { AgentPanel } from './AgentPanel.js';
import { CodeEditor } from './CodeEditor.js';
import type { ProjectFile, ProjectModels } from './projectModels.js';
import { previewPath } from './sampleProject.js';
import { VersionsPanel } from './VersionsPanel.js';

const endpoint = '/api/fragmentkit';
const projectId = 'editor-example';

/** The editor example: files, Monaco, the live preview, the AI panel and saved versions. */
export function App({ project }: { project: ProjectModels }) {
  const files = useSyncExternalStore(project.subscribe, project.getSnapshot);
  const [activePath, setActivePath] = useState(previewPath);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const onEditor = useCallback((created: monaco.editor.IStandaloneCodeEditor | null) => {
    editor.current = created;
  }, []);

  const previewCode = useDeferredValue(files.find((file) => file.path === previewPath)?.content ?? '');
  const fragment = useMemo<PreviewFragment>(
    () => ({ template: 'react-preview', file_path: 'App.tsx', code: previewCode, title: 'Preview of src/App.tsx' }),
    [previewCode],
  );

  const readCursor = useCallback(() => {
    const position = editor.current?.getPosition();
    return position ? { file: activePath, line: position.lineNumber, col: position.column } : undefined;
  }, [activePath]);

  const onRestored = useCallback(
    (restored: ProjectFile[]) => {
      project.replaceAll(restored);
      if (!restored.some((file) => file.path === activePath)) setActivePath(restored[0]?.path ?? previewPath);
    },
    [project, activePath],
  );

  return (
    <div className="layout">
      <header className="topbar">
        <h1>fragmentkit · editor example</h1>
      </header>
      <aside className="sidebar">
        <nav aria-labelledby="files-heading">
          <h2 id="files-heading">Files</h2>
          <ul className="file-list">
            {files.map((file) => (
              <li key={file.path}>
                <button
                  type="button"
                  aria-current={file.path === activePath ? 'true' : undefined}
                  onClick={() => setActivePath(file.path)}
                >
                  {file.path}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <VersionsPanel endpoint={endpoint} projectId={projectId} files={files} onRestored={onRestored} />
      </aside>
      <main className="editor-pane">
        <div className="editor-path" data-testid="active-path">
          {activePath}
        </div>
        <CodeEditor model={project.model(activePath)} onEditor={onEditor} />
      </main>
      <section className="side-pane">
        <section className="preview-pane" aria-label="Preview">
          <FragmentPreview fragment={fragment} />
        </section>
        <AgentPanel endpoint={endpoint} projectId={projectId} project={project} readCursor={readCursor} />
      </section>
    </div>
  );
}
