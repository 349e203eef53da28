import editorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import typescriptWorker from 'monaco-editor/esm/vs/language/typescript/ts.worker?worker';

// Monaco's workers come from this app's own bundle (Vite `?worker`), never from a CDN.
self.MonacoEnvironment = {
  getWorker(_workerId, label) {
    return label === 'typescript' || label === 'javascript' ? new typescriptWorker() : new editorWorker();
  },
};
