import * as monaco from 'monaco-editor';

/** One file of the project in the editor. */
export interface ProjectFile {
  path: string;
  content: string;
}

/**
 * The project's files as Monaco models, one per path, read by React through
 * `subscribe`/`getSnapshot` (a new `files` array after every edit).
 */
export interface ProjectModels {
  subscribe(listener: () => void): () => void;
  getSnapshot(): readonly ProjectFile[];
  model(path: string): monaco.editor.ITextModel | undefined;
  read(path: string): string | undefined;
  /** Writes `content` into the file's model as one undoable edit, creating the file when it is new. */
  write(path: string, content: string): void;
  /** Makes the project exactly `files`, e.g. after restoring a saved version. */
  replaceAll(files: readonly ProjectFile[]): void;
}

const languages: Record<string, string> = { ts: 'typescript', tsx: 'typescript', md: 'markdown', css: 'css' };

function languageOf(path: string): string {
  return languages[path.split('.').pop() ?? ''] ?? 'plaintext';
}

export function createProjectModels(initial: readonly ProjectFile[]): ProjectModels {
  const models = new Map<string, monaco.editor.ITextModel>();
  const listeners = new Set<() => void>();
  let files: readonly ProjectFile[] = [];

  function publish(): void {
    files = [...models].map(([path, model]) => ({ path, content: model.getValue() }));
    for (const listener of [...listeners]) listener();
  }

  function create(path: string, content: string): void {
    const model = monaco.editor.createModel(content, languageOf(path), monaco.Uri.file(path));
    model.onDidChangeContent(publish);
    models.set(path, model);
  }

  function write(path: string, content: string): void {
    const model = models.get(path);
    if (!model) {
      create(path, content);
      publish();
      return;
    }
    if (model.getValue() === content) return;
    model.pushEditOperations([], [{ range: model.getFullModelRange(), text: content }], () => null);
  }

  for (const file of initial) create(file.path, file.content);
  publish();

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => files,
    model: (path) => models.get(path),
    read: (path) => models.get(path)?.getValue(),
    write,
    replaceAll(next) {
      const keep = new Set(next.map((file) => file.path));
      for (const [path, model] of models) {
        if (keep.has(path)) continue;
        models.delete(path);
        model.dispose();
      }
      for (const file of next) write(file.path, file.content);
      publish();
    },
  };
}
