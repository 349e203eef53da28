import { createServer, type Server } from 'node:http';
import { FragmentkitError } from '@fragmentkit/core';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, listen } from '../../test/listen.js';
import { createFragmentkit } from '../fragmentkit.js';
import { createJwtAuth, type JwtAuthOptions } from './jwtAuth.js';

const secret = 'super-secret-signing-key-of-at-least-32-bytes';
const now = Date.UTC(2025, 6, 1, 12);
const clock = { now: () => now };
const nowSeconds = now / 1000;

function requestWith(token: string | undefined, headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/api/fragmentkit/conversations', {
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
  });
}

async function signHs256(claims: JWTPayload, key = secret, lifetimeSeconds = 3600): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(nowSeconds - 60)
    .setExpirationTime(nowSeconds - 60 + lifetimeSeconds)
    .sign(new TextEncoder().encode(key));
}

async function rejection(promise: Promise<unknown>): Promise<FragmentkitError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the token to be rejected');
    },
    (reason: unknown) => reason,
  );
  if (!FragmentkitError.isInstance(error)) throw error;
  return error;
}

describe('createJwtAuth with an HS256 secret', () => {
  const options: JwtAuthOptions = {
    secret,
    audience: 'authenticated',
    issuer: 'https://project.supabase.co/auth/v1',
    clock,
  };
  const auth = createJwtAuth(options);
  const valid = { sub: 'user-1', aud: 'authenticated', iss: 'https://project.supabase.co/auth/v1' };

  it('accepts a valid token and makes the user a team of one by default', async () => {
    expect(await auth(requestWith(await signHs256(valid)))).toEqual({
      userId: 'user-1',
      teamId: 'user-1',
      roles: ['member'],
    });
  });

  it('resolves to null without a token, and ignores other authorization schemes', async () => {
    expect(await auth(requestWith(undefined))).toBeNull();
    expect(await auth(requestWith(undefined, { authorization: 'Basic c3RhZ2luZzpzZWNyZXQ=' }))).toBeNull();
  });

  it('rejects an expired token with 401 and says when it expired', async () => {
    const expired = await signHs256(valid, secret, 30);
    const error = await rejection(auth(requestWith(expired)));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toBe(
      `The access token expired at ${new Date((nowSeconds - 30) * 1000).toISOString()}. Refresh it or sign in again.`,
    );
    expect(error.details).toEqual({ reason: 'token_expired' });
  });

  it('rejects a token signed with another secret', async () => {
    const error = await rejection(
      auth(requestWith(await signHs256(valid, 'another-secret-of-the-same-sort-and-size'))),
    );
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('signature does not verify');
  });

  it('rejects a token for another audience or issuer, naming the claim', async () => {
    const otherAudience = await rejection(auth(requestWith(await signHs256({ ...valid, aud: 'another-app' }))));
    expect(otherAudience.code).toBe('UNAUTHORIZED');
    expect(otherAudience.message).toContain('"aud" claim');
    const otherIssuer = await rejection(auth(requestWith(await signHs256({ ...valid, iss: 'https://evil.example' }))));
    expect(otherIssuer.message).toContain('"iss" claim');
  });

  it('rejects garbage and unsigned tokens', async () => {
    expect((await rejection(auth(requestWith('not-a-jwt')))).message).toBe(
      'The access token is not a valid JWT. Sign in again.',
    );
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(valid)).toString('base64url')}.`;
    expect((await rejection(auth(requestWith(unsigned)))).code).toBe('UNAUTHORIZED');
  });

  it('reads the token from a cookie when configured', async () => {
    const withCookie = createJwtAuth({ ...options, cookie: 'sb-access-token' });
    const token = await signHs256(valid);
    const request = requestWith(undefined, { cookie: `theme=dark; sb-access-token=${token}` });
    expect(await withCookie(request)).toMatchObject({ userId: 'user-1' });
    expect(await auth(request)).toBeNull();
  });

  it('needs a secret or a JWKS URL', () => {
    expect(() => createJwtAuth({})).toThrow(/secret.*jwksUrl/);
  });
});

describe('createJwtAuth claims mapping', () => {
  async function authenticate(claims: JWTPayload, names: JwtAuthOptions['claims']) {
    return createJwtAuth({ secret, clock, claims: names })(requestWith(await signHs256(claims)));
  }

  it('maps Supabase-style nested claims', async () => {
    const context = await authenticate(
      { sub: 'u-1', app_metadata: { team_id: 'team-7', team_role: 'admin', plan: 'pro' } },
      { teamId: 'app_metadata.team_id', roles: 'app_metadata.team_role', plan: 'app_metadata.plan' },
    );
    expect(context).toEqual({ userId: 'u-1', teamId: 'team-7', roles: ['admin'], plan: 'pro' });
  });

  it('maps Auth0-style namespaced claims and role lists, keeping only team roles', async () => {
    const context = await authenticate(
      { sub: 'auth0|42', org_id: 'org_abc', 'https://example.com/roles': ['Owner', 'billing', 'member'] },
      { teamId: 'org_id', roles: 'https://example.com/roles' },
    );
    expect(context).toEqual({ userId: 'auth0|42', teamId: 'org_abc', roles: ['owner', 'member'] });
  });

  it('maps Firebase-style custom claims with a custom user claim', async () => {
    const context = await authenticate(
      { sub: 'firebase-sub', user_id: 'fb-user', team_id: 'fb-team', role: 'owner admin' },
      { userId: 'user_id', teamId: 'team_id', roles: 'role' },
    );
    expect(context).toEqual({ userId: 'fb-user', teamId: 'fb-team', roles: ['owner', 'admin'] });
  });

  it('makes a token without a known role a member', async () => {
    const context = await authenticate({ sub: 'u-1', role: 'authenticated' }, { roles: 'role' });
    expect(context?.roles).toEqual(['member']);
  });

  it('rejects a token that lacks the configured team claim', async () => {
    const error = await rejection(authenticate({ sub: 'u-1' }, { teamId: 'org_id' }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('"org_id" claim');
    expect(error.details).toEqual({ reason: 'missing_claim', claim: 'org_id' });
  });
});

describe('createJwtAuth with a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let jwksRequests = 0;
  let serveKeys = true;
  let rsaKey: CryptoKey;
  let ecKey: CryptoKey;
  let strangerKey: CryptoKey;

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES256', { extractable: true });
    const stranger = await generateKeyPair('RS256');
    rsaKey = rsa.privateKey;
    ecKey = ec.privateKey;
    strangerKey = stranger.privateKey;
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((_request, response) => {
      jwksRequests += 1;
      if (!serveKeys) {
        response.statusCode = 503;
        return void response.end('down');
      }
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys }));
    });
    jwksUrl = `${await listen(server)}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await close(server);
  });

  const issuer = 'https://tenant.example.auth0.com/';
  function sign(alg: 'RS256' | 'ES256', kid: string, key: CryptoKey, claims: JWTPayload = {}): Promise<string> {
    return new SignJWT({ sub: 'user-9', org_id: 'org-9', ...claims })
      .setProtectedHeader({ alg, kid })
      .setIssuer(issuer)
      .setAudience('https://api.example.com')
      .setIssuedAt(nowSeconds - 60)
      .setExpirationTime(nowSeconds + 3600)
      .sign(key);
  }

  function jwksAuth() {
    return createJwtAuth({ jwksUrl, issuer, audience: 'https://api.example.com', clock, claims: { teamId: 'org_id' } });
  }

  it('verifies RS256 and ES256 tokens with the published keys, fetching them once', async () => {
    const auth = jwksAuth();
    const before = jwksRequests;
    expect(await auth(requestWith(await sign('RS256', 'rsa-1', rsaKey)))).toEqual({
      userId: 'user-9',
      teamId: 'org-9',
      roles: ['member'],
    });
    expect(await auth(requestWith(await sign('ES256', 'ec-1', ecKey)))).toMatchObject({ userId: 'user-9' });
    expect(jwksRequests - before).toBe(1);
  });

  it('rejects a token signed by a key that is not published', async () => {
    const auth = jwksAuth();
    const unknownKid = await rejection(auth(requestWith(await sign('RS256', 'rsa-2', strangerKey))));
    expect(unknownKid.code).toBe('UNAUTHORIZED');
    expect(unknownKid.message).toContain('No published signing key');
    const forgedWithKnownKid = await rejection(auth(requestWith(await sign('RS256', 'rsa-1', strangerKey))));
    expect(forgedWithKnownKid.message).toContain('signature does not verify');
  });

  it('rejects an HS256 token when only a JWKS is configured, so a public key cannot be used as a secret', async () => {
    const error = await rejection(jwksAuth()(requestWith(await signHs256({ sub: 'user-9', org_id: 'org-9' }))));
    expect(error.code).toBe('UNAUTHORIZED');
  });

  it('treats an unreachable key set as a server error, not a bad token', async () => {
    serveKeys = false;
    try {
      const error = await rejection(jwksAuth()(requestWith(await sign('RS256', 'rsa-1', rsaKey))));
      expect(error.code).toBe('INTERNAL');
      expect(error.message).toContain(jwksUrl);
    } finally {
      serveKeys = true;
    }
  });
});

describe('JWT auth through the handler', () => {
  const fragmentkit = createFragmentkit({
    auth: createJwtAuth({ secret, clock }),
    guest: false,
    logger: { info() {}, warn() {}, error() {} },
  });

  it('answers 401 with WWW-Authenticate to a missing or expired token, and never echoes the token', async () => {
    const missing = await fragmentkit.handler(requestWith(undefined));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="fragmentkit"');
    expect(await missing.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });

    const expired = await signHs256({ sub: 'user-1' }, secret, 30);
    const rejected = await fragmentkit.handler(requestWith(expired));
    expect(rejected.status).toBe(401);
    expect(rejected.headers.get('www-authenticate')).toBe('Bearer realm="fragmentkit", error="invalid_token"');
    const text = await rejected.text();
    expect(JSON.parse(text)).toMatchObject({
      error: { code: 'UNAUTHORIZED', message: expect.stringContaining('expired') },
    });
    expect(text).not.toContain(expired);
    expect(text).not.toContain(secret);
  });
});
