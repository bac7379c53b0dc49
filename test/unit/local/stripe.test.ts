import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { readStripeSecrets } from '#adapters/stripe-secrets.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.ts';
import {
  LOCAL_STRIPE_SECRET_NAME,
  LocalStripeError,
  localStripeSettings,
  startLocalSecrets,
  stripeEnv,
} from '#infra/local/stripe.ts';

const dir = mkdtempSync(join(tmpdir(), 'local-stripe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NO_FILE = join(dir, 'absent.json');
const file = (content: string) => {
  const path = join(dir, `stripe-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, content);
  return path;
};
const KEYS = { STRIPE_API_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };

describe('local Stripe mode: settings', () => {
  it('is off unless PAYMENT_PROVIDER=stripe', () => {
    expect(localStripeSettings({}, NO_FILE)).toBeUndefined();
    expect(localStripeSettings({ PAYMENT_PROVIDER: 'simulator', ...KEYS }, NO_FILE)).toBeUndefined();
  });

  it('takes the key and secret from the environment, and a local server from STRIPE_API_*', () => {
    const settings = localStripeSettings(
      {
        PAYMENT_PROVIDER: 'stripe',
        ...KEYS,
        STRIPE_API_HOST: '127.0.0.1',
        STRIPE_API_PORT: '12111',
        STRIPE_API_PROTOCOL: 'http',
      },
      NO_FILE,
    );

    expect(settings).toEqual({
      apiKey: 'sk_test_abc',
      webhookSecret: 'whsec_abc',
      api: { host: '127.0.0.1', port: 12111, protocol: 'http' },
    });
  });

  it('takes what the environment does not give from the local secrets file', () => {
    const path = file('{"apiKey": "rk_test_file", "webhookSecret": "whsec_file"}');

    expect(localStripeSettings({ PAYMENT_PROVIDER: 'stripe' }, path)).toEqual({
      apiKey: 'rk_test_file',
      webhookSecret: 'whsec_file',
      api: {},
    });
    expect(
      localStripeSettings({ PAYMENT_PROVIDER: 'stripe', STRIPE_WEBHOOK_SECRET: 'whsec_env' }, path),
    ).toEqual({ apiKey: 'rk_test_file', webhookSecret: 'whsec_env', api: {} });
  });

  it.each([
    ['a live secret key', { STRIPE_API_KEY: 'sk_live_abc' }, /only a test-mode Stripe key/],
    ['a live restricted key', { STRIPE_API_KEY: 'rk_live_abc' }, /only a test-mode Stripe key/],
    ['a publishable key', { STRIPE_API_KEY: 'pk_test_abc' }, /only a test-mode Stripe key/],
    ['no key', { STRIPE_API_KEY: undefined }, /STRIPE_API_KEY or "apiKey" in \.local\/stripe\.json/],
    ['no webhook secret', { STRIPE_WEBHOOK_SECRET: undefined }, /STRIPE_WEBHOOK_SECRET or "webhookSecret"/],
    ['a webhook secret that is none', { STRIPE_WEBHOOK_SECRET: 'abc' }, /whsec_/],
    ['a port that is none', { STRIPE_API_PORT: 'twelve' }, /STRIPE_API_PORT="twelve"/],
    ['another protocol', { STRIPE_API_PROTOCOL: 'ftp' }, /STRIPE_API_PROTOCOL="ftp"/],
    ['another provider', { PAYMENT_PROVIDER: 'paypal' }, /PAYMENT_PROVIDER="paypal"/],
  ])('refuses %s, naming what to fix and never the key', (_, change, message) => {
    const env = { PAYMENT_PROVIDER: 'stripe', ...KEYS, ...change };
    const attempt = () => localStripeSettings(env, NO_FILE);

    expect(attempt).toThrow(LocalStripeError);
    expect(attempt).toThrow(message);
    expect(attempt).not.toThrow(/_abc/);
  });

  it('refuses a secrets file that is not JSON without quoting it', () => {
    const path = file('apiKey=sk_test_secret');

    expect(() => localStripeSettings({ PAYMENT_PROVIDER: 'stripe' }, path)).toThrow(/must be JSON/);
    expect(() => localStripeSettings({ PAYMENT_PROVIDER: 'stripe' }, path)).not.toThrow(/sk_test_secret/);
  });
});

describe('local Stripe mode: the Secrets Manager stand-in', () => {
  it('serves the secret to the functions’ own reader through the real SDK, and only that secret', async () => {
    const secrets = await startLocalSecrets(
      LOCAL_STRIPE_SECRET_NAME,
      JSON.stringify({ apiKey: 'sk_test_abc', webhookSecret: 'whsec_abc' }),
    );
    const client = new SecretsManagerClient({
      endpoint: secrets.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      await expect(readStripeSecrets(LOCAL_STRIPE_SECRET_NAME, client)).resolves.toEqual({
        apiKey: 'sk_test_abc',
        webhookSecret: 'whsec_abc',
      });
      await expect(readStripeSecrets('someone-else/stripe', client)).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      client.destroy();
      await secrets.stop();
    }
  });

  it('points the functions at it and at the local server, and clears a local server not asked for', () => {
    expect(stripeEnv({ apiKey: 'k', webhookSecret: 's', api: {} }, 'http://127.0.0.1:9')).toEqual({
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_NAME: LOCAL_STRIPE_SECRET_NAME,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9',
      STRIPE_API_HOST: undefined,
      STRIPE_API_PORT: undefined,
      STRIPE_API_PROTOCOL: undefined,
    });
  });
});
