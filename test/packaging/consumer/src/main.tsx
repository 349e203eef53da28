import { FragmentkitProvider } from '@fragmentkit/react';
import '@fragmentkit/react/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

createRoot(root).render(
  <StrictMode>
    <FragmentkitProvider endpoint="/api/fragmentkit">
      <App />
    </FragmentkitProvider>
  </StrictMode>,
);
