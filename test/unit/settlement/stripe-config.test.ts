/**
 * Choosing the provider by configuration, and Stripe's credentials from Secrets Manager:
 * read once by name, the shape checked, and no error message ever carrying the values.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import { StripeProvider } from '#adapters/stripe-provider.ts';
import { readStripeSecrets } from '#adapters/stripe-secrets.ts';
import { readConfig } from '#shared/config.ts';
import { configuredPaymentProvider, stripeRuntime } from '#shared/provider-wiring.ts';

const secrets = mockClient(SecretsManagerClient);
beforeEach(() => secrets.reset());
afterAll(() => secrets.restore());

const API_KEY = 'sk_test_do_not_log_me';
const WEBHOOK_SECRET = 'whsec_do_not_log_me';

describe('config', () => {
  it('defaults to the simulator, 1 h before reconciling, a 300 s webhook tolerance, no SDK retries', () => {
    const config = readConfig({ TABLE_NAME: 'refunds' });
    expect(config.paymentProvider).toBe('simulator');
    expect(config.stripe).toEqual({
      secretName: undefined,
      webhookToleranceSeconds: 300,
      submittedReconcileAfterMs: 3_600_000,
      failureWatchMs: 30 * 86_400_000,
      maxNetworkRetries: 0,
      api: {},
    });
  });

  it('reads the Stripe settings', () => {
    const config = readConfig({
      TABLE_NAME: 'refunds',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_NAME: 'refund-service/stripe',
      STRIPE_SUBMITTED_RECONCILE_AFTER: '600',
      STRIPE_WEBHOOK_TOLERANCE_SECONDS: '120',
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: '12111',
      STRIPE_API_PROTOCOL: 'http',
    });
    expect(config.paymentProvider).toBe('stripe');
    expect(config.stripe).toMatchObject({
      secretName: 'refund-service/stripe',
      submittedReconcileAfterMs: 600_000,
      webhookToleranceSeconds: 120,
      api: { host: '127.0.0.1', port: 12111, protocol: 'http' },
    });
  });

  it.each([
    ['PAYMENT_PROVIDER', 'paypal'],
    ['STRIPE_WEBHOOK_TOLERANCE_SECONDS', '0'],
    ['STRIPE_SUBMITTED_RECONCILE_AFTER', 'soon'],
    ['STRIPE_API_PROTOCOL', 'ftp'],
  ])('refuses %s=%s at cold start', (name, value) => {
    expect(() => readConfig({ TABLE_NAME: 'refunds', [name]: value })).toThrow(name);
  });
});

describe('secrets', () => {
  it('reads {apiKey, webhookSecret} from the named secret', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'refund-service/stripe' })
      .resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET }) });
    expect(await readStripeSecrets('refund-service/stripe', new SecretsManagerClient({}))).toEqual({
      apiKey: API_KEY,
      webhookSecret: WEBHOOK_SECRET,
    });
  });

  it.each([
    ['not JSON', `${API_KEY}`],
    ['no webhook secret', JSON.stringify({ apiKey: API_KEY })],
    ['an empty key', JSON.stringify({ apiKey: '', webhookSecret: WEBHOOK_SECRET })],
  ])('refuses a secret with %s, without showing its content', async (_name, value) => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: value });
    const error = (await readStripeSecrets('refund-service/stripe', new SecretsManagerClient({})).then(
      () => null,
      (e: unknown) => e,
    )) as Error | null;
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toContain('refund-service/stripe');
    expect(error?.message).not.toContain(API_KEY);
    expect(error?.message).not.toContain(WEBHOOK_SECRET);
  });
});

describe('provider wiring', () => {
  it('the simulator needs no secret', async () => {
    const provider = await configuredPaymentProvider(readConfig({ TABLE_NAME: 'refunds' }));
    expect(provider).toBeInstanceOf(PaymentSimulator);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('Stripe reads the secret once, by name from config', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET }) });
    const config = readConfig({
      TABLE_NAME: 'refunds',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_NAME: 'team/stripe-test',
    });
    const runtime = await stripeRuntime(config, new SecretsManagerClient({}));
    expect(runtime.provider).toBeInstanceOf(StripeProvider);
    expect(runtime.webhookSecret).toBe(WEBHOOK_SECRET);
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
      'team/stripe-test',
    ]);
  });

  it('Stripe without a secret name fails at cold start', async () => {
    const config = readConfig({ TABLE_NAME: 'refunds', PAYMENT_PROVIDER: 'stripe' });
    await expect(stripeRuntime(config)).rejects.toThrow('STRIPE_SECRET_NAME');
  });
});
