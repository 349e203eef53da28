import { describe, expect, it } from 'vitest';

// The guide's server picks E2B when a key is set; these tests must never reach E2B.
delete process.env.E2B_API_KEY;
const { fragmentkit } = await import('./sandboxRoutes.js');

const fragment = {
  commentary: 'Prints a number.',
  template: 'code-interpreter-v1',
  title: 'Number',
  description: 'Prints a number.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: null,
  file_path: 'main.py',
  code: 'print(42)',
};

function post(path: string, body: unknown): Promise<Response> {
  return fragmentkit.handler(
    new Request(`http://localhost/api/fragmentkit${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

describe('the sandboxes guide (docs/guides/sandboxes.md)', () => {
  it('refuses guests with the sentence its authorize hook returns', async () => {
    const response = await post('/sandbox', { fragment });
    expect(response.status).toBe(403);
    expect((await response.json()).error).toEqual({
      code: 'FORBIDDEN',
      message: 'Sign in to run code in a sandbox.',
      details: { reason: 'policy' },
    });
  });

  it('refuses templates outside its list before asking the policy', async () => {
    const response = await post('/sandbox', { fragment: { ...fragment, template: 'gradio-developer' } });
    expect(response.status).toBe(403);
    expect((await response.json()).error.details).toMatchObject({ reason: 'template', template: 'gradio-developer' });
  });
});
