/**
 * `nextToken` values: opaque to callers, bound to the caller and the query that issued them
 * (SPEC 4: a token not issued for the same caller and query is a 400).
 */
import { RefundError } from '#shared/errors.ts';
import { fingerprint } from '#use-cases/fingerprint.ts';

interface TokenBody {
  /** Where to continue: the last key position the store returned. */
  after: string;
  /** Digest of the caller and the query (without the token). */
  scope: string;
}

const scopeOf = (accountId: string, query: Record<string, unknown>) => {
  const { nextToken: _ignored, ...rest } = query;
  return fingerprint(accountId, rest).slice(0, 16);
};

export function encodeNextToken(
  cursor: string | null,
  accountId: string,
  query: Record<string, unknown>,
): string | null {
  if (cursor === null) return null;
  const body: TokenBody = { after: cursor, scope: scopeOf(accountId, query) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The cursor inside `token`, checked against the caller and the query; undefined when there is no token. */
export function decodeNextToken(
  token: string | undefined,
  accountId: string,
  query: Record<string, unknown>,
  expectedPrefix: string,
): string | undefined {
  if (token === undefined) return undefined;
  let body: Partial<TokenBody> = {};
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    // fall through: reported below
  }
  if (
    typeof body.after !== 'string' ||
    !body.after.startsWith(expectedPrefix) ||
    body.scope !== scopeOf(accountId, query)
  ) {
    throw new RefundError('VALIDATION_FAILED', 'nextToken was not issued for this query', {
      issues: [{ field: 'nextToken', message: 'not issued for this caller and query' }],
    });
  }
  return body.after;
}
