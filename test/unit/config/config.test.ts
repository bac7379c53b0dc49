/**
 * Configuration is checked once, at cold start: a bad setting fails the function's import
 * with a message naming the variable, instead of surfacing later as a customer's error.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, parseHolidays, readConfig, readEventBusConfig } from '#shared/config.ts';

const base = { TABLE_NAME: 'refunds' };

describe('readConfig', () => {
  it('reads every setting, with the defaults', () => {
    expect(readConfig(base)).toEqual({
      tableName: 'refunds',
      refundQueueUrl: undefined,
      purgeQueueUrl: undefined,
      purgeWorkerInFlight: 16,
      holidays: [],
      retryBaseSeconds: 30,
      paymentProvider: 'simulator',
      stripe: {
        secretName: undefined,
        webhookToleranceSeconds: 300,
        submittedReconcileAfterMs: 3_600_000,
        failureWatchMs: 30 * 86_400_000,
        maxNetworkRetries: 0,
        api: {},
      },
    });
    expect(
      readConfig({
        ...base,
        REFUND_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/refunds',
        PURGE_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/purge-work.fifo',
        PURGE_WORKER_IN_FLIGHT: '4',
        HOLIDAYS: ' 2026-12-25, 2027-01-01 ,',
        RETRY_BASE_SECONDS: '1',
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_NAME: 'refunds/stripe',
        STRIPE_WEBHOOK_TOLERANCE_SECONDS: '60',
        STRIPE_SUBMITTED_RECONCILE_AFTER: '120',
        STRIPE_FAILURE_WATCH_DAYS: '2',
        STRIPE_MAX_NETWORK_RETRIES: '1',
        STRIPE_API_HOST: '127.0.0.1',
        STRIPE_API_PORT: '12111',
        STRIPE_API_PROTOCOL: 'http',
      }),
    ).toEqual({
      tableName: 'refunds',
      refundQueueUrl: 'http://127.0.0.1:4566/000000000000/refunds',
      purgeQueueUrl: 'http://127.0.0.1:4566/000000000000/purge-work.fifo',
      purgeWorkerInFlight: 4,
      holidays: ['2026-12-25', '2027-01-01'],
      retryBaseSeconds: 1,
      paymentProvider: 'stripe',
      stripe: {
        secretName: 'refunds/stripe',
        webhookToleranceSeconds: 60,
        submittedReconcileAfterMs: 120_000,
        failureWatchMs: 2 * 86_400_000,
        maxNetworkRetries: 1,
        api: { host: '127.0.0.1', port: 12111, protocol: 'http' },
      },
    });
  });

  it.each([
    [{ ...base, HOLIDAYS: '2026-13-45' }, 'HOLIDAYS="2026-13-45" is not a real YYYY-MM-DD date'],
    [{ ...base, HOLIDAYS: '2026-12-25,2026-02-30' }, 'HOLIDAYS="2026-02-30"'],
    [{ ...base, HOLIDAYS: '25.12.2026' }, 'HOLIDAYS="25.12.2026"'],
    [{}, 'TABLE_NAME is missing'],
    [{ TABLE_NAME: 'x' }, 'TABLE_NAME="x" must be a DynamoDB table name'],
    [{ ...base, REFUND_QUEUE_URL: 'refunds' }, 'REFUND_QUEUE_URL="refunds" must be an http(s) URL'],
    [{ ...base, PAYMENT_PROVIDER: 'paypal' }, 'PAYMENT_PROVIDER="paypal"'],
    [{ ...base, STRIPE_WEBHOOK_TOLERANCE_SECONDS: '0' }, 'STRIPE_WEBHOOK_TOLERANCE_SECONDS="0"'],
    [{ ...base, RETRY_BASE_SECONDS: '1.5' }, 'RETRY_BASE_SECONDS="1.5" must be a whole number of seconds'],
    [
      { ...base, RETRY_BASE_SECONDS: '10000' },
      'RETRY_BASE_SECONDS="10000" must be a whole number of seconds (0–9999)',
    ],
    [{ ...base, PAYMENT_PROVIDER: 'Stripe' }, 'PAYMENT_PROVIDER="Stripe" must be one of simulator, stripe'],
    [{ ...base, STRIPE_SECRET_NAME: '' }, 'STRIPE_SECRET_NAME="" must not be empty'],
    [{ ...base, STRIPE_API_PORT: '65536' }, 'STRIPE_API_PORT="65536" must be a whole number from 1 to 65535'],
    [
      { ...base, STRIPE_MAX_NETWORK_RETRIES: '-1' },
      'STRIPE_MAX_NETWORK_RETRIES="-1" must be a whole number from 0 to 3',
    ],
    [{ ...base, STRIPE_API_PROTOCOL: 'ftp' }, 'STRIPE_API_PROTOCOL="ftp" must be one of http, https'],
    [{ ...base, REFUND_QUEUE_URL: '' }, 'REFUND_QUEUE_URL="" must be an http(s) URL'],
    [
      { ...base, PURGE_QUEUE_URL: 'purge-work.fifo' },
      'PURGE_QUEUE_URL="purge-work.fifo" must be an http(s) URL',
    ],
    [
      { ...base, PURGE_WORKER_IN_FLIGHT: '0' },
      'PURGE_WORKER_IN_FLIGHT="0" must be a whole number from 1 to 64',
    ],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('lists every bad setting at once', () => {
    expect(() => readConfig({ HOLIDAYS: 'soon', RETRY_BASE_SECONDS: 'x' })).toThrow(
      /TABLE_NAME is missing; HOLIDAYS="soon" .*; RETRY_BASE_SECONDS="x"/,
    );
  });

  it('takes the bounds of a range as valid (RETRY_BASE_SECONDS 0 and 9999, STRIPE_API_PORT 1 and 65535)', () => {
    expect(readConfig({ ...base, RETRY_BASE_SECONDS: '0', STRIPE_API_PORT: '1' })).toMatchObject({
      retryBaseSeconds: 0,
      stripe: { api: { port: 1 } },
    });
    expect(readConfig({ ...base, RETRY_BASE_SECONDS: '9999', STRIPE_API_PORT: '65535' })).toMatchObject({
      retryBaseSeconds: 9999,
      stripe: { api: { port: 65_535 } },
    });
  });

  it('readEventBusConfig reads EVENT_BUS_NAME, and refuses a missing or malformed one', () => {
    expect(readEventBusConfig({ EVENT_BUS_NAME: 'refund-service/events' })).toEqual({
      eventBusName: 'refund-service/events',
    });
    expect(() => readEventBusConfig({})).toThrow('Invalid configuration: EVENT_BUS_NAME is missing');
    expect(() => readEventBusConfig({ EVENT_BUS_NAME: 'a bus' })).toThrow(
      'EVENT_BUS_NAME="a bus" must be an EventBridge bus name',
    );
  });

  it('parseHolidays is the same check (the stack uses it at synth)', () => {
    expect(parseHolidays('2026-12-25')).toEqual(['2026-12-25']);
    expect(parseHolidays(undefined)).toEqual([]);
    expect(() => parseHolidays('2026-12-25,2026-13-45')).toThrow('HOLIDAYS="2026-13-45"');
  });
});

describe('a function with a bad setting fails at import', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each(['unsubscribe', 'cancel-renewal'])('functions/%s.ts with HOLIDAYS=2026-13-45', async (name) => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', 'refunds');
    vi.stubEnv('REFUND_QUEUE_URL', 'http://127.0.0.1:1/000000000000/refunds');
    vi.stubEnv('HOLIDAYS', '2026-13-45');
    await expect(import(`../../../functions/${name}.ts`)).rejects.toThrow(
      'Invalid configuration: HOLIDAYS="2026-13-45" is not a real YYYY-MM-DD date',
    );
  });

  it.each(['quote', 'reads', 'ingest', 'refund-processor', 'purger', 'purge-worker', 'reconciler'])(
    'functions/%s.ts without TABLE_NAME',
    async (name) => {
      vi.resetModules();
      vi.stubEnv('TABLE_NAME', undefined);
      vi.stubEnv('REFUND_QUEUE_URL', 'http://127.0.0.1:1/000000000000/refunds');
      await expect(import(`../../../functions/${name}.ts`)).rejects.toThrow(
        'Invalid configuration: TABLE_NAME is missing',
      );
    },
  );

  it('functions/purger.ts without PURGE_QUEUE_URL (it has nowhere to send work)', async () => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', 'refunds');
    vi.stubEnv('PURGE_QUEUE_URL', undefined);
    await expect(import('../../../functions/purger.ts')).rejects.toThrow(
      'Invalid configuration: PURGE_QUEUE_URL is missing',
    );
  });

  it('and imports with a good one', async () => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', 'refunds');
    vi.stubEnv('REFUND_QUEUE_URL', 'http://127.0.0.1:1/000000000000/refunds');
    vi.stubEnv('HOLIDAYS', '2026-12-25');
    const module = (await import('../../../functions/unsubscribe.ts')) as { handler: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
