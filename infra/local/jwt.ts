/**
 * HS256 JSON Web Tokens for the local runtime (SPEC 4.1): `npm run token` signs them and the
 * local API verifies them in place of API Gateway's JWT authorizer. Only HS256 is accepted,
 * the signature is compared in constant time, `exp` and `nbf` are checked when present and
 * `sub` (the account) is required. Nothing here is used in the cloud.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_LOCAL_JWT_SECRET = 'local-dev-secret';

/** The secret the local runtime and `npm run token` share: `LOCAL_JWT_SECRET` or the default. */
export const localJwtSecret = (env: NodeJS.ProcessEnv = process.env): string =>
  env.LOCAL_JWT_SECRET || DEFAULT_LOCAL_JWT_SECRET;

export type JwtClaims = Record<string, unknown> & { sub: string };

export interface SignOptions {
  /** Space-separated scopes, put in the `scope` claim (omitted when empty). */
  scopes?: readonly string[];
  /** Lifetime in seconds from `now`; without it the token has no `exp`. */
  ttlSeconds?: number;
  /** Epoch milliseconds; defaults to the clock. */
  now?: number;
}

export type VerifyResult = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmac = (secret: string, input: string): Buffer => createHmac('sha256', secret).update(input).digest();

/** Signs a token for `sub` with HS256. */
export function signJwt(sub: string, secret: string, options: SignOptions = {}): string {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = { sub, iat };
  if (options.scopes && options.scopes.length > 0) claims.scope = options.scopes.join(' ');
  if (options.ttlSeconds !== undefined) claims.exp = iat + options.ttlSeconds;
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${hmac(secret, input).toString('base64url')}`;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies an HS256 token; `now` is epoch milliseconds. Never throws. */
export function verifyJwt(token: string, secret: string, now: number = Date.now()): VerifyResult {
  const parts = token.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || !signaturePart) {
    return { ok: false, reason: 'The token is not a JWT' };
  }
  if (!parts.every((part) => BASE64URL.test(part))) return { ok: false, reason: 'The token is not a JWT' };
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (!header || !claims) return { ok: false, reason: 'The token is not a JWT' };
  if (header.alg !== 'HS256') return { ok: false, reason: 'The token must be signed with HS256' };

  const expected = hmac(secret, `${headerPart}.${payloadPart}`);
  const actual = Buffer.from(signaturePart, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'The token signature is not valid' };
  }

  const nowSeconds = now / 1000;
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || nowSeconds >= claims.exp)) {
    return { ok: false, reason: 'The token has expired' };
  }
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || nowSeconds < claims.nbf)) {
    return { ok: false, reason: 'The token is not valid yet' };
  }
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
    return { ok: false, reason: 'The token has no sub claim' };
  }
  return { ok: true, claims: claims as JwtClaims };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}
