/**
 * A fake OpenID Connect provider on 127.0.0.1 and a free port, for the console's OIDC
 * sign-in in a real browser (authorization code + PKCE, a public client):
 *
 * - `GET /.well-known/openid-configuration`: the discovery document (with CORS);
 * - `GET /authorize`: checks the client, the registered redirect URI and an S256 code
 *   challenge, then answers the provider's "login page": a link back to the redirect URI with
 *   a fresh single-use code and the request's state (the customer is `account`);
 * - `POST /token`: exchanges a code once, only with the client, redirect URI and a
 *   `code_verifier` whose S256 hash is the code's challenge (else 400 `invalid_grant`);
 *   answers an RS256 ID token (iss, aud = client, sub, nonce) and an access token HS256-signed
 *   with `accessTokenSecret`: the local runtime's secret, the key its API verifies;
 * - `GET /jwks`: the ID token's public key.
 *
 * Tests read what happened (`tokenRequests`, `refusals`).
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signJwt } from '#infra/local/jwt.ts';

export interface FakeOidcProvider {
  /** `http://127.0.0.1:<port>/` */
  issuer: string;
  clientId: string;
  /** Who signs in at the provider. */
  account: string;
  /** Redirect URIs the client registered; /authorize and /token refuse others. */
  redirectUris: Set<string>;
  /** Token requests received (a refused one included). */
  tokenRequests: number;
  /** Why token requests were refused, in order. */
  refusals: string[];
  stop(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  account: string;
}

const ID_TOKEN_KID = 'fake-oidc-1';
const TOKEN_TTL_SECONDS = 3600;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    // The console fetches discovery and the token endpoint from its own origin.
    'access-control-allow-origin': '*',
  });
  res.end(body);
}
const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json', JSON.stringify(body));
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startFakeOidcProvider(options: {
  accessTokenSecret: string;
  clientId?: string;
  account: string;
}): Promise<FakeOidcProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: ID_TOKEN_KID, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, IssuedCode>();

  const idToken = (claims: Record<string, unknown>) => {
    const input = `${b64url({ alg: 'RS256', typ: 'JWT', kid: ID_TOKEN_KID })}.${b64url(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) =>
      json(res, 500, { error: 'server_error', error_description: String(error) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const provider: FakeOidcProvider = {
    issuer,
    clientId: options.clientId ?? 'refund-console',
    account: options.account,
    redirectUris: new Set(),
    tokenRequests: 0,
    refusals: [],
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const refuse = (res: ServerResponse, description: string) => {
    provider.refusals.push(description);
    json(res, 400, { error: 'invalid_grant', error_description: description });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}authorize`,
        token_endpoint: `${issuer}token`,
        jwks_uri: `${issuer}jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['openid'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      const challenge = q.get('code_challenge') ?? '';
      if (q.get('client_id') !== provider.clientId || !provider.redirectUris.has(redirectUri)) {
        return send(res, 400, 'text/plain', 'Unknown client or redirect URI');
      }
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !challenge) {
        return send(res, 400, 'text/plain', 'Only the code flow with an S256 PKCE challenge is allowed');
      }
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        clientId: provider.clientId,
        redirectUri,
        challenge,
        nonce: q.get('nonce') ?? undefined,
        account: provider.account,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      const state = q.get('state');
      if (state !== null) back.searchParams.set('state', state);
      return send(
        res,
        200,
        'text/html; charset=utf-8',
        `<!doctype html><html lang="en"><title>Fake provider</title><h1>Fake provider</h1><a id="approve" href="${escapeHtml(back.href)}">Continue as ${escapeHtml(provider.account)}</a></html>`,
      );
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      provider.tokenRequests++;
      const form = new URLSearchParams(await readBody(req));
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (form.get('grant_type') !== 'authorization_code') return refuse(res, 'unsupported grant type');
      if (!issued) return refuse(res, 'unknown or already used code');
      if (form.get('client_id') !== issued.clientId)
        return refuse(res, 'the code was issued to another client');
      if (form.get('redirect_uri') !== issued.redirectUri) return refuse(res, 'redirect_uri does not match');
      if (s256(form.get('code_verifier') ?? '') !== issued.challenge) {
        return refuse(res, 'PKCE verification failed: the code_verifier does not match the code_challenge');
      }
      const iat = Math.floor(Date.now() / 1000);
      return json(res, 200, {
        token_type: 'Bearer',
        expires_in: TOKEN_TTL_SECONDS,
        access_token: signJwt(issued.account, options.accessTokenSecret, { ttlSeconds: TOKEN_TTL_SECONDS }),
        id_token: idToken({
          iss: issuer,
          sub: issued.account,
          aud: issued.clientId,
          iat,
          exp: iat + TOKEN_TTL_SECONDS,
          ...(issued.nonce ? { nonce: issued.nonce } : {}),
        }),
      });
    }
    return send(res, 404, 'text/plain', 'Not found');
  }

  return provider;
}
