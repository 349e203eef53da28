// Entry of the page the Monaco browser test loads: the real editor with its contributions (context
// menu included), as `import * as monaco from 'monaco-editor'` gives a host, plus the adapter.
import { createAttachmentStore } from '@fragmentkit/core';
import * as monaco from 'monaco-editor/esm/vs/editor/edcore.main.js';
import { monacoAttachments } from '../src/editors/monaco.js';
import { createStaleAttachments } from '../src/staleAttachments.js';

Object.assign(globalThis, { fixture: { monaco, createAttachmentStore, createStaleAttachments, monacoAttachments } });
