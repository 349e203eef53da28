import { FragmentkitProvider } from '@fragmentkit/react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import Page from './next-page.js';
import { Editor } from './react-app.js';

describe('the React examples', () => {
  it('render the code view, the context panel and the composer (react-app.tsx)', () => {
    const html = renderToString(
      <FragmentkitProvider endpoint="/api/fragmentkit">
        <Editor />
      </FragmentkitProvider>,
    );
    expect(html).toContain('Hello');
    expect(html).toContain('aria-label="Ask for a change"');
    expect(html).toContain('Attached context');
  });

  it('render the Next.js page (next-page.tsx)', () => {
    const html = renderToString(<Page />);
    expect(html).toContain('Hi');
    expect(html).toContain('>Send</button>');
  });
});
