/**
 * The credentials stand-in every function bundle uses instead of the SDK's default chain
 * (infra/cdk/lambda-credentials.ts): the environment Lambda fills, and nothing else.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '#infra/cdk/lambda-credentials.ts';

afterEach(() => vi.unstubAllEnvs());

describe('lambda-credentials defaultProvider', () => {
  it("reads the execution role's credentials from the environment, as Lambda sets them", async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('is what a client resolves its credentials with when handed as its default chain', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIACLIENT');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const client = new DynamoDBClient({ region: 'eu-west-1', credentialDefaultProvider: defaultProvider });
    await expect(client.config.credentials()).resolves.toMatchObject({ accessKeyId: 'ASIACLIENT' });
  });

  it('without them, fails saying where it looked, and ends the chain (no other source is tried)', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_PROFILE', 'someone');
    await expect(defaultProvider()()).rejects.toMatchObject({
      name: 'CredentialsProviderError',
      tryNextLink: false,
      message: expect.stringContaining('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY'),
    });
  });
});
