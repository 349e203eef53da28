import { FragmentkitError } from '@fragmentkit/core';
// #region auth
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';

// #endregion

interface Session {
  userId: string;
  organizationId: string;
  role: 'owner' | 'admin' | 'member';
  plan: string;
}

/** Stands in for the host's own session lookup (a cookie store, an identity provider). */
export const sessions = new Map<string, Session>([
  ['token-ada', { userId: 'ada', organizationId: 'acme', role: 'admin', plan: 'pro' }],
]);

async function findSession(token: string): Promise<Session | undefined> {
  return sessions.get(token);
}

// #region auth
export const fragmentkit = createFragmentkit({
  model: createAnthropicModel({
    apiKey: process.env.ANTHROPIC_API_KEY!,
    model: 'claude-sonnet-4-5',
    baseURL: process.env.ANTHROPIC_BASE_URL,
  }),
  // Who is calling: null for "no credentials", a typed error for bad ones.
  auth: async (request) => {
    const token = request.headers.get('authorization')?.replace(/^Bearer /, '');
    if (!token) return null;
    const session = await findSession(token);
    if (!session) throw new FragmentkitError('UNAUTHORIZED', 'The session has expired. Sign in again.');
    return { userId: session.userId, teamId: session.organizationId, roles: [session.role], plan: session.plan };
  },
  guest: false, // no anonymous use: requests without credentials get 401
  trustProxy: 1, // exactly one proxy of yours sets X-Forwarded-For
  cors: { origins: ['https://app.example.com'], credentials: true },
  permissions: { deleteConversation: ['owner', 'admin'] },
});
// #endregion
