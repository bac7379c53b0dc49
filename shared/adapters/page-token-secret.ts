/**
 * The page-token keyring from AWS Secrets Manager (`PAGE_TOKEN_SECRET_NAME`): read on the first
 * request that signs or checks a `nextToken`, then again every `KEYRING_REFRESH_MS`, so a
 * rotation reaches warm functions within minutes. The Secrets Manager client is imported on
 * that first read, not at cold start: requests that page nothing never load it.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedKeyring, type KeyringSource, parseKeyring, staticKeyring } from '#http/page-token-keys.ts';
import type { PageTokenConfig } from '#shared/config.ts';

export function secretsManagerKeyring(
  secretName: string,
  options: { client?: SecretsManagerClient; refreshMs?: number; clock?: () => number } = {},
): KeyringSource {
  let client = options.client;
  return cachedKeyring(
    async () => {
      const sdk = await import('@aws-sdk/client-secrets-manager');
      client ??= new sdk.SecretsManagerClient({});
      const result = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretName }));
      return parseKeyring(result.SecretString ?? '');
    },
    { refreshMs: options.refreshMs, clock: options.clock },
  );
}

/** The keys of `nextToken` values as configured: the keyring itself, or its secret. */
export function pageTokenKeys(config: PageTokenConfig): KeyringSource {
  return 'keys' in config ? staticKeyring(config.keys) : secretsManagerKeyring(config.secretName);
}
