import './monacoEnvironment.js';
import { FragmentkitProvider } from '@fragmentkit/react';
import '@fragmentkit/react/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createProjectModels } from './projectModels.js';
import { sampleProject } from './sampleProject.js';
import './app.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

// The models live as long as the page, outside React, so StrictMode's double effects keep them.
const project = createProjectModels(sampleProject);

createRoot(root).render(
  <StrictMode>
    <FragmentkitProvider endpoint="/api/fragmentkit">
      <App project={project} />
    </FragmentkitProvider>
  </StrictMode>,
);
