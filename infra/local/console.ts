/**
 * The customer console on the local API's origin: `GET /` (and `/index.html`, `/console.js`,
 * `/console.css`, `/config.json`) serve the page built by `web/build.ts`; `POST /local/tokens
 * {"accountId"}` is the local sign-in, signing a short-lived token for that account with the
 * runtime's secret (the page never sees the secret). Local only, like `/local/purger-runs`.
 */
import { buildConsole, type ConsoleAssets } from '../../web/build.ts';
import { errorAnswer, type HttpAnswer, jsonAnswer } from './api-event.ts';
import { signJwt } from './jwt.ts';

export const LOCAL_TOKENS_PATH = '/local/tokens';
export const CONSOLE_TOKEN_TTL_SECONDS = 3600;

const ACCOUNT_ID = /^[A-Za-z0-9._-]{1,128}$/;

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'config.json': 'application/json',
};

/** The headers the CloudFront response policy sets, so the local page runs under the same CSP. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const file = (name: string, body: string): HttpAnswer => ({
  statusCode: 200,
  headers: {
    'content-type': TYPES[name] ?? 'application/octet-stream',
    'cache-control': 'no-store',
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  },
  cookies: [],
  body: Buffer.from(body),
});

export function tokenAnswer(body: string, jwtSecret: string): HttpAnswer {
  let accountId: unknown;
  try {
    accountId = (JSON.parse(body) as { accountId?: unknown }).accountId;
  } catch {
    accountId = undefined;
  }
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    return errorAnswer(
      'VALIDATION_FAILED',
      'The body must be {"accountId": "<1–128 letters, digits, -, _ or .>"}',
    );
  }
  const token = signJwt(accountId, jwtSecret, { ttlSeconds: CONSOLE_TOKEN_TTL_SECONDS });
  return jsonAnswer(200, { token, expiresIn: CONSOLE_TOKEN_TTL_SECONDS });
}

/** The local routes of the console, for `createApiServer({localRoutes})`. */
export async function consoleRoutes(jwtSecret: string) {
  const assets: ConsoleAssets & { 'config.json': string } = {
    ...(await buildConsole()),
    'config.json': JSON.stringify({ apiUrl: '', auth: { kind: 'local' } }),
  };
  return async (method: string, rawPath: string, body: string): Promise<HttpAnswer | undefined> => {
    if (rawPath === LOCAL_TOKENS_PATH && method === 'POST') return tokenAnswer(body, jwtSecret);
    if (method !== 'GET') return undefined;
    const name = rawPath === '/' ? 'index.html' : rawPath.slice(1);
    return name in assets ? file(name, assets[name as keyof typeof assets]) : undefined;
  };
}
