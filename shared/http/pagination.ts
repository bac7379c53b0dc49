/**
 * `nextToken` values: opaque to callers, unforgeable, bound to the caller and the query that
 * issued them, and short-lived (SPEC 4: a token not issued for the same caller and query is a
 * 400).
 *
 * A token is `<key id>.<payload>.<mac>` (base64url): the payload is JSON `{after, exp}` (where
 * the list continues, and when the token expires), and the MAC is HMAC-SHA-256 under the named
 * key (`#http/page-token-keys.ts`) of the key id, the payload, the list, the caller's account
 * and the query without its `nextToken`. The scope is in the MAC only, never in the token.
 * Any token that does not verify — another caller's, another query's, an expired one, one
 * signed with an unknown or retired key, or any text at all — is 400 VALIDATION_FAILED naming
 * `nextToken`, never a 500, and reaches no store.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RefundError } from '#shared/errors.ts';
import { canonicalJson } from '#use-cases/fingerprint.ts';
import type { KeyringSource, PageTokenKey } from './page-token-keys.ts';

/** How long a token can be used: a day, so a page left open still pages on. */
export const PAGE_TOKEN_TTL_MS = 24 * 60 * 60_000;

/** What a token is for: one list, one caller, one query (the raw query-string values). */
export interface PageScope {
  /** The customer lists, the backtest's export, or a back-office list (`ops:<route key>`). */
  list: 'instances' | 'unsubscribe-orders' | 'unsubscribe-orders-export' | `ops:${string}`;
  accountId: string;
  query: Record<string, string | undefined>;
}

interface Payload {
  /** Where the list continues: the last key position the store returned. */
  after: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
}

const mac = (key: PageTokenKey, payload: string, scope: PageScope): Buffer => {
  const { nextToken: _ignored, ...query } = scope.query;
  return createHmac('sha256', key.secret)
    .update(`${key.id}.${payload}\n`)
    .update(canonicalJson([scope.list, scope.accountId, query]))
    .digest();
};

/** A token for the page after `cursor` (null at the end of the list: no token). */
export async function encodeNextToken(
  cursor: string | null,
  scope: PageScope,
  keys: KeyringSource,
  now: number,
): Promise<string | null> {
  if (cursor === null) return null;
  const [key] = await keys.keyring();
  const body: Payload = { after: cursor, exp: now + PAGE_TOKEN_TTL_MS };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${key.id}.${payload}.${mac(key, payload, scope).toString('base64url')}`;
}

const refused = (message: string) =>
  new RefundError('VALIDATION_FAILED', `nextToken ${message}`, {
    issues: [{ field: 'nextToken', message }],
  });

const NOT_ISSUED = 'was not issued for this caller and query';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The cursor inside `token`, once its MAC verifies for this scope under a key of the keyring,
 * it has not expired, and the cursor is one of this list's (`isCursor`); undefined when there
 * is no token. Anything else is 400 VALIDATION_FAILED.
 */
export async function decodeNextToken(
  token: string | undefined,
  scope: PageScope,
  keys: KeyringSource,
  now: number,
  isCursor: (after: string) => boolean,
): Promise<string | undefined> {
  if (token === undefined) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) throw refused(NOT_ISSUED);
  const [id, payload, signature] = parts as [string, string, string];
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) throw refused(NOT_ISSUED);
  const key = (await keys.keyring()).find((k) => k.id === id);
  if (!key || !verifies(key, payload, signature, scope)) throw refused(NOT_ISSUED);
  // Signed by us for this scope: the payload is what encodeNextToken wrote; checked all the same.
  const body = parsePayload(payload);
  if (!body || !isCursor(body.after)) throw refused(NOT_ISSUED);
  if (now >= body.exp) throw refused('has expired: list again from the first page');
  return body.after;
}

function verifies(key: PageTokenKey, payload: string, signature: string, scope: PageScope): boolean {
  const expected = mac(key, payload, scope);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parsePayload(payload: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { after, exp } = value as Partial<Payload>;
  if (typeof after !== 'string' || typeof exp !== 'number' || !Number.isSafeInteger(exp)) return undefined;
  return { after, exp };
}
