/**
 * `npm run token -- <name> [--internal] [--operator [--approver]] [--ttl <seconds>]` prints
 * (only) a local bearer token whose `sub` is `name` (an account, or with `--operator` a
 * person), HS256-signed with LOCAL_JWT_SECRET (default `local-dev-secret`). `--internal` adds
 * the scope `refunds/internal`, `--operator` the scope `refunds/operator` and `--approver`
 * also `refunds/approver`; the token lives `--ttl` seconds (default 24 h).
 */
import { APPROVER_SCOPE, OPERATOR_SCOPE } from '#http/ops-routes.ts';
import { INTERNAL_SCOPE } from '#http/routes.ts';
import { localJwtSecret, signJwt } from './jwt.ts';

export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

const USAGE =
  'Usage: npm run token -- <accountId | operator name> [--internal] [--operator [--approver]] [--ttl <seconds>]';

export interface TokenArgs {
  accountId: string;
  internal: boolean;
  /** `operator`: scope refunds/operator; `approver`: refunds/operator and refunds/approver. */
  role?: 'operator' | 'approver';
  ttlSeconds: number;
}

/** The scopes of a token for these arguments. */
export function tokenScopes(args: Pick<TokenArgs, 'internal' | 'role'>): string[] {
  return [
    ...(args.internal ? [INTERNAL_SCOPE] : []),
    ...(args.role ? [OPERATOR_SCOPE] : []),
    ...(args.role === 'approver' ? [APPROVER_SCOPE] : []),
  ];
}

/** Parses the CLI arguments, or returns the reason they are not valid. */
export function parseTokenArgs(argv: readonly string[]): TokenArgs | { error: string } {
  let accountId: string | undefined;
  let internal = false;
  let operator = false;
  let approver = false;
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--internal') internal = true;
    else if (arg === '--operator') operator = true;
    else if (arg === '--approver') approver = true;
    else if (arg === '--ttl' || arg.startsWith('--ttl=')) {
      const value = arg === '--ttl' ? argv[++i] : arg.slice('--ttl='.length);
      if (value === undefined || !/^[1-9]\d*$/.test(value))
        return { error: '--ttl needs a positive number of seconds' };
      ttlSeconds = Number(value);
    } else if (arg.startsWith('-')) return { error: `Unknown option ${arg}` };
    else if (accountId === undefined) accountId = arg;
    else return { error: `Unexpected argument ${arg}` };
  }
  if (accountId === undefined) return { error: 'The accountId is missing' };
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(accountId)) {
    return { error: 'The accountId must be 1–128 letters, digits, "-", "_" or "."' };
  }
  if (approver && !operator) return { error: '--approver needs --operator (an approver is an operator)' };
  return {
    accountId,
    internal,
    ttlSeconds,
    ...(operator ? { role: approver ? 'approver' : 'operator' } : {}),
  };
}

if (import.meta.main) {
  const parsed = parseTokenArgs(process.argv.slice(2));
  if ('error' in parsed) {
    console.error(`${parsed.error}\n${USAGE}`);
    process.exit(1);
  }
  const scopes = tokenScopes(parsed);
  console.log(signJwt(parsed.accountId, localJwtSecret(), { scopes, ttlSeconds: parsed.ttlSeconds }));
}
