import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { pageTokenKeys, secretsManagerKeyring } from '#adapters/page-token-secret.ts';
import { cachedKeyring, type Keyring, KeyringError, parseKeyring } from '#http/page-token-keys.ts';
import { ConfigError, readPageTokenConfig } from '#shared/config.ts';

const SECRET_1 = 'a'.repeat(32);
const SECRET_2 = 'b'.repeat(40);
const ring = (id: string, secret = SECRET_1, previous?: unknown[]) =>
  JSON.stringify({ id, secret, ...(previous ? { previous } : {}) });

describe('parseKeyring', () => {
  it('reads the signing key first, then the previous ones', () => {
    const keys = parseKeyring(ring('k2', SECRET_2, [{ id: 'k1', secret: SECRET_1 }]));
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0].secret.toString('utf8')).toBe(SECRET_2);
  });

  it.each([
    ['not JSON', 'nope'],
    ['null', 'null'],
    ['an array', '[]'],
    ['a bad id', ring('k 1')],
    ['a short secret', ring('k1', 'short')],
    ['previous not a list', JSON.stringify({ id: 'k1', secret: SECRET_1, previous: {} })],
    ['a bad previous key', ring('k2', SECRET_2, [{ id: 'k1' }])],
    ['duplicate ids', ring('k1', SECRET_2, [{ id: 'k1', secret: SECRET_1 }])],
  ])('refuses %s, never quoting a secret', (_, text) => {
    expect(() => parseKeyring(text)).toThrow(KeyringError);
    try {
      parseKeyring(text);
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET_1);
      expect((error as Error).message).not.toContain(SECRET_2);
    }
  });
});

describe('readPageTokenConfig', () => {
  it('takes the keyring itself, else the secret name, else fails at cold start', () => {
    const withKeys = readPageTokenConfig({ PAGE_TOKEN_KEYS: ring('k1') });
    expect('keys' in withKeys && withKeys.keys.map((k) => k.id)).toEqual(['k1']);
    expect(readPageTokenConfig({ PAGE_TOKEN_SECRET_NAME: 'svc/page-tokens' })).toEqual({
      secretName: 'svc/page-tokens',
    });
    expect(() => readPageTokenConfig({})).toThrow(ConfigError);
    expect(() => readPageTokenConfig({})).toThrow('PAGE_TOKEN_SECRET_NAME (or PAGE_TOKEN_KEYS) is missing');
  });

  it('names a bad PAGE_TOKEN_KEYS without showing it', () => {
    const text = ring('k1', `${SECRET_1.slice(0, 20)}`);
    expect(() => readPageTokenConfig({ PAGE_TOKEN_KEYS: text })).toThrow(/PAGE_TOKEN_KEYS="…" .*at least 32/);
    expect(() => readPageTokenConfig({ PAGE_TOKEN_KEYS: text })).not.toThrow(SECRET_1.slice(0, 20));
  });
});

describe('cachedKeyring', () => {
  const keys = (id: string): Keyring => parseKeyring(ring(id));

  it('reads once, shares one read among concurrent callers, and reads again after the refresh time', async () => {
    let now = 0;
    let reads = 0;
    const source = cachedKeyring(
      async () => {
        reads += 1;
        return keys(`k${reads}`);
      },
      { refreshMs: 1000, clock: () => now },
    );
    const [a, b] = await Promise.all([source.keyring(), source.keyring()]);
    expect(reads).toBe(1);
    expect(a[0].id).toBe('k1');
    expect(b[0].id).toBe('k1');
    now = 999;
    expect((await source.keyring())[0].id).toBe('k1');
    now = 1000;
    expect((await source.keyring())[0].id).toBe('k2');
    expect(reads).toBe(2);
  });

  it('keeps the keyring it has when a refresh fails, and fails when the first read does', async () => {
    let now = 0;
    let fail = false;
    const source = cachedKeyring(
      async () => {
        if (fail) throw new Error('unavailable');
        return keys('k1');
      },
      { refreshMs: 10, clock: () => now },
    );
    await source.keyring();
    fail = true;
    now = 100;
    expect((await source.keyring())[0].id).toBe('k1');
    const never = cachedKeyring(async () => {
      throw new Error('unavailable');
    });
    await expect(never.keyring()).rejects.toThrow('unavailable');
  });
});

describe('the Secrets Manager keyring', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('reads the named secret on first use only, and again after the refresh time', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'svc/page-tokens' }).resolves({ SecretString: ring('k1') });
    let now = 0;
    const source = secretsManagerKeyring('svc/page-tokens', {
      client: new SecretsManagerClient({}),
      refreshMs: 60_000,
      clock: () => now,
    });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect((await source.keyring()).map((k) => k.id)).toEqual(['k1']);
    await source.keyring();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: ring('k2', SECRET_2, [{ id: 'k1', secret: SECRET_1 }]) });
    now = 60_000;
    expect((await source.keyring()).map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  it('fails (without the secret in the message) when the secret is not a keyring', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: SECRET_1 }) });
    const source = secretsManagerKeyring('svc/page-tokens', { client: new SecretsManagerClient({}) });
    const error = await source.keyring().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(KeyringError);
    expect(error?.message).not.toContain(SECRET_1);
  });

  it('is what PAGE_TOKEN_SECRET_NAME configures; PAGE_TOKEN_KEYS is used as it is', async () => {
    const fixed = pageTokenKeys({ keys: parseKeyring(ring('local')) });
    expect((await fixed.keyring())[0].id).toBe('local');
    secrets.on(GetSecretValueCommand).resolves({ SecretString: ring('cloud') });
    expect((await pageTokenKeys({ secretName: 'svc/page-tokens' }).keyring())[0].id).toBe('cloud');
  });
});
