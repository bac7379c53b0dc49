/**
 * The keys that sign `nextToken` values (HMAC-SHA-256, `#http/pagination.ts`). A keyring is
 * JSON `{"id": "k2", "secret": "…", "previous": [{"id": "k1", "secret": "…"}]}`: the top-level
 * key signs new tokens; it and the `previous` ones verify tokens (rotation keeps tokens issued
 * under the previous key valid for their lifetime). The token names its key by `id`.
 *
 * In the cloud the keyring is a Secrets Manager secret (`PAGE_TOKEN_SECRET_NAME`), read on first
 * use and again every few minutes (a rotation reaches every warm function); locally and in tests
 * it is `PAGE_TOKEN_KEYS` itself. Secrets are never logged or put in a message.
 */

/** At least 32 characters: 256 bits of key material for base64 or hex text, more for raw text. */
export const MIN_SECRET_LENGTH = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface PageTokenKey {
  id: string;
  secret: Buffer;
}

/** The signing key first, then the keys that only verify. Ids are unique. */
export type Keyring = readonly [PageTokenKey, ...PageTokenKey[]];

/** A keyring that is not of the expected shape; the message never contains a secret. */
export class KeyringError extends Error {
  constructor(problem: string) {
    super(`page-token keyring ${problem}`);
    this.name = 'KeyringError';
  }
}

const SHAPE = 'must be JSON {"id", "secret", "previous"?: [{"id", "secret"}]}';

function keyOf(value: unknown, where: string): PageTokenKey {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new KeyringError(`${where} ${SHAPE}`);
  const { id, secret } = value as { id?: unknown; secret?: unknown };
  if (typeof id !== 'string' || !KEY_ID.test(id))
    throw new KeyringError(`${where}: id must be 1–64 of A-Z a-z 0-9 _ -`);
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH)
    throw new KeyringError(`${where} (${id}): secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return { id, secret: Buffer.from(secret, 'utf8') };
}

/** Parses a keyring's JSON text, or throws `KeyringError` saying what is wrong (never a secret). */
export function parseKeyring(text: string): Keyring {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeyringError(SHAPE);
  }
  const current = keyOf(value, 'key');
  const previous = (value as { previous?: unknown }).previous ?? [];
  if (!Array.isArray(previous)) throw new KeyringError(`previous ${SHAPE}`);
  const keys: Keyring = [current, ...previous.map((key, i) => keyOf(key, `previous.${i}`))];
  const ids = keys.map((key) => key.id);
  if (new Set(ids).size !== ids.length) throw new KeyringError('key ids must be unique');
  return keys;
}

/** Where the keyring comes from; `keyring()` is called only when a token is signed or checked. */
export interface KeyringSource {
  keyring(): Promise<Keyring>;
}

export const staticKeyring = (keys: Keyring): KeyringSource => ({ keyring: async () => keys });

/** How long a keyring read from its store is used before it is read again. */
export const KEYRING_REFRESH_MS = 5 * 60_000;

/**
 * A keyring read by `load` on first use and again once `refreshMs` has passed (one read at a
 * time). If a refresh fails, the keyring already read is kept (and the next call tries again);
 * if the first read fails, the call fails.
 */
export function cachedKeyring(
  load: () => Promise<Keyring>,
  options: { refreshMs?: number; clock?: () => number } = {},
): KeyringSource {
  const refreshMs = options.refreshMs ?? KEYRING_REFRESH_MS;
  const clock = options.clock ?? Date.now;
  let cached: { keys: Keyring; at: number } | undefined;
  let loading: Promise<Keyring> | undefined;
  const reload = (): Promise<Keyring> => {
    loading ??= load()
      .then((keys) => {
        cached = { keys, at: clock() };
        return keys;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  return {
    async keyring() {
      if (!cached) return reload();
      if (clock() - cached.at < refreshMs) return cached.keys;
      const stale = cached.keys;
      return reload().catch(() => stale);
    },
  };
}
