/**
 * The consoles on the local API's origin: `GET /` (and `/index.html`, `/console.js`,
 * `/console.css`, `/config.json`) serve the customer page built by `web/build.ts`, `GET /ops/`
 * (and `/ops/index.html`, `/ops/ops.js`, `/ops/config.json`) the operator console; `POST
 * /local/tokens {"accountId"}` is the local sign-in, signing a short-lived token for that
 * account with the runtime's secret (the page never sees the secret), and `{"operator",
 * "approver"}` signs in a person of the back office. Local only, like `/local/purger-runs`.
 */
import { buildConsole, type ConsoleAssets } from '../../web/build.ts';
import {
  type AuthConfig,
  CONSOLE_REFERRER_POLICY,
  type ConsoleConfig,
  consoleCsp,
} from '../../web/hosting.ts';
import { errorAnswer, type HttpAnswer, jsonAnswer } from './api-event.ts';
import { signJwt } from './jwt.ts';
import { tokenScopes } from './token.ts';

export const LOCAL_TOKENS_PATH = '/local/tokens';
export const CONSOLE_TOKEN_TTL_SECONDS = 3600;

const ACCOUNT_ID = /^[A-Za-z0-9._-]{1,128}$/;

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'config.json': 'application/json',
  'ops/index.html': 'text/html; charset=utf-8',
  'ops/ops.js': 'text/javascript; charset=utf-8',
  'ops/config.json': 'application/json',
};

const file = (name: string, body: string, csp: string): HttpAnswer => ({
  statusCode: 200,
  headers: {
    'content-type': TYPES[name] ?? 'application/octet-stream',
    'cache-control': 'no-store',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': CONSOLE_REFERRER_POLICY,
  },
  cookies: [],
  body: Buffer.from(body),
});

/**
 * `{"accountId"}` signs in a customer; `{"operator", "approver"?}` an operator of the back
 * office (scope `refunds/operator`, and `refunds/approver` when `approver` is true).
 */
export function tokenAnswer(body: string, jwtSecret: string): HttpAnswer {
  let parsed: { accountId?: unknown; operator?: unknown; approver?: unknown } = {};
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null) parsed = value as typeof parsed;
  } catch {
    parsed = {};
  }
  const operator = parsed.operator;
  if (operator !== undefined) {
    if (typeof operator !== 'string' || !ACCOUNT_ID.test(operator) || parsed.accountId !== undefined) {
      return errorAnswer(
        'VALIDATION_FAILED',
        'The body must be {"operator": "<1–128 letters, digits, -, _ or .>", "approver": true|false}',
      );
    }
    const role = parsed.approver === true ? 'approver' : 'operator';
    const scopes = tokenScopes({ internal: false, role });
    const token = signJwt(operator, jwtSecret, { scopes, ttlSeconds: CONSOLE_TOKEN_TTL_SECONDS });
    return jsonAnswer(200, { token, expiresIn: CONSOLE_TOKEN_TTL_SECONDS, scopes });
  }
  const accountId = parsed.accountId;
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    return errorAnswer(
      'VALIDATION_FAILED',
      'The body must be {"accountId": "<1–128 letters, digits, -, _ or .>"}',
    );
  }
  const token = signJwt(accountId, jwtSecret, { ttlSeconds: CONSOLE_TOKEN_TTL_SECONDS });
  return jsonAnswer(200, { token, expiresIn: CONSOLE_TOKEN_TTL_SECONDS });
}

/**
 * The local routes of the console, for `createApiServer({localRoutes})`. The page signs in
 * with `auth` (default the local sign-in; the OIDC browser test passes its fake provider),
 * and the CSP lets it reach an OIDC issuer's origin.
 */
export async function consoleRoutes(jwtSecret: string, auth: AuthConfig = { kind: 'local' }) {
  const config: ConsoleConfig = { apiUrl: '', auth };
  const assets: ConsoleAssets & { 'config.json': string; 'ops/config.json': string } = {
    ...(await buildConsole()),
    'config.json': JSON.stringify(config),
    'ops/config.json': JSON.stringify(config),
  };
  const csp = consoleCsp(auth.kind === 'oidc' ? [new URL(auth.issuer).origin] : []);
  return async (method: string, rawPath: string, body: string): Promise<HttpAnswer | undefined> => {
    if (rawPath === LOCAL_TOKENS_PATH && method === 'POST') return tokenAnswer(body, jwtSecret);
    if (method !== 'GET') return undefined;
    if (rawPath === '/ops') {
      return { statusCode: 308, headers: { location: '/ops/' }, cookies: [], body: Buffer.alloc(0) };
    }
    const name = rawPath === '/' ? 'index.html' : rawPath === '/ops/' ? 'ops/index.html' : rawPath.slice(1);
    return name in assets ? file(name, assets[name as keyof typeof assets], csp) : undefined;
  };
}
