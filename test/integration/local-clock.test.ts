/**
 * The local clock (`POST /local/clock`): one time for every function and schedule of the
 * local runtime, so a newcomer sees a quote expire, the five-day window close and a retention
 * deadline pass without waiting. The schedules are on, with an interval no test reaches: what
 * runs, runs because the clock moved.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { watchTable } from '#test/support/events.ts';

const DAY = 86_400_000;
let runtime: LocalRuntime;
const logs: string[] = [];

const suffix = randomUUID().slice(0, 8);

beforeAll(async () => {
  runtime = await startLocalRuntime({
    seed: true,
    schedule: true,
    scheduleIntervalMs: 24 * 3_600_000,
    visibilityTimeoutSeconds: 2,
    log: (line) => logs.push(line),
    tableName: `local-clock-${suffix}`,
    queuePrefix: `local-clock-${suffix}-`,
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
  });
  watchTable(runtime.tableName);
});

afterAll(async () => {
  await runtime?.stop();
});

type Body = Record<string, unknown>;

async function call(
  method: string,
  path: string,
  init: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${runtime.token(DEMO_ACCOUNT)}`,
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Body) : {} };
}

const moveClock = (json: unknown) => call('POST', '/local/clock', { json });
const quote = (instanceId: string) =>
  call('POST', `/instances/${instanceId}/refund-quotes`, { json: { kind: 'UNSUBSCRIBE' } });
const unsubscribe = (instanceId: string, q: Body, key: string) =>
  call('POST', `/instances/${instanceId}/unsubscriptions`, {
    headers: { 'idempotency-key': key },
    json: {
      quoteId: q.quoteId,
      refundType: q.refundType,
      confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
      reason: { code: 'NO_LONGER_NEEDED' },
    },
  });

describe('the local clock', () => {
  it('starts on the real time', async () => {
    const before = Date.now();
    const response = await call('GET', '/local/clock');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ moved: false, offset: 'PT0S', offsetMs: 0 });
    expect(Date.parse(response.body.now as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(response.body.now as string)).toBeLessThan(before + 60_000);
  });

  it('moved 16 minutes ahead, a quote made before has expired (409 QUOTE_EXPIRED)', async () => {
    const q = await quote('demo-fresh');
    expect(q.status).toBe(201);
    expect(q.body.refundType).toBe('FULL_REFUND');

    const moved = await moveClock({ offset: 'PT16M' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ moved: true, offset: 'PT16M', offsetMs: 16 * 60_000 });
    expect(Date.parse(moved.body.now as string)).toBeGreaterThan(Date.parse(q.body.expiresAt as string));

    const late = await unsubscribe('demo-fresh', q.body, 'clock-expired');
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'QUOTE_EXPIRED' } });
    expect((await call('GET', '/instances/demo-fresh')).body.status).toBe('ACTIVE');
  });

  it('moved past the five-day window (demo-fresh was bought 2 days ago), the quote is a partial refund', async () => {
    const moved = await moveClock({ offset: 'P3DT1H' });
    expect(moved.body).toMatchObject({ moved: true, offset: 'P3DT1H', offsetMs: 3 * DAY + 3_600_000 });

    const q = await quote('demo-fresh');

    expect(q.status).toBe(201);
    expect(q.body.refundType).toBe('PARTIAL_REFUND');
    expect(q.body.refundAmount).toBeLessThan(99900);
    expect(Date.parse(q.body.asOf as string)).toBeGreaterThanOrEqual(Date.now() + 3 * DAY);
  });

  it('purges the log data when the clock is moved past its deadline (the next midnight UTC+8), at the moved time', async () => {
    const q = await quote('demo-fresh');
    const order = await unsubscribe('demo-fresh', q.body, 'clock-purge');
    expect(order.status).toBe(202);
    const unsubscribed = await call('GET', '/instances/demo-fresh');
    const retention = unsubscribed.body.retention as Record<string, { status: string; purgeAt: string }>;
    const logPurgeAt = Date.parse(retention.logData?.purgeAt ?? '');
    // The next midnight UTC+8 after the (moved) unsubscription: 16:00 UTC.
    expect(new Date(logPurgeAt).toISOString()).toMatch(/T16:00:00\.000Z$/);
    expect(logPurgeAt).toBeGreaterThan(Date.now() + 3 * DAY);
    expect(retention.logData?.status).toBe('RETAINED');

    const at = new Date(logPurgeAt + 60_000).toISOString();
    const moved = await moveClock({ at });
    expect(moved.status).toBe(200);

    const after = await call('GET', '/instances/demo-fresh');
    expect(after.body).toMatchObject({
      status: 'UNSUBSCRIBED',
      retention: { logData: { status: 'PURGED' }, configData: { status: 'RETAINED' } },
    });
    const purged = after.body.retention as Record<string, { purgedAt: string }>;
    expect(Date.parse(purged.logData?.purgedAt ?? '')).toBeGreaterThanOrEqual(logPurgeAt);
    expect(logs).toContainEqual(
      expect.stringMatching(/^local clock: .+ \(P\d+DT?.* ahead of the real time\)$/),
    );
    // The purger ran with the moved time as its schedule time (EventBridge's, to the second).
    const purgerRuns = logs.flatMap((line) => /^purger at (\S+):/.exec(line)?.[1] ?? []);
    expect(purgerRuns.some((time) => Date.parse(time) >= logPurgeAt)).toBe(true);
  });

  it.each([
    ['an offset in months', { offset: 'P1M' }],
    ['a negative offset', { offset: -1000 }],
    ['an instant in the past', { at: '2020-01-01T00:00:00.000Z' }],
    ['two moves at once', { offset: 'P1D', reset: true }],
    ['reset: false', { reset: false }],
    ['an unknown field', { by: 'P1D' }],
    ['more than ten years', { offset: 'P3651D' }],
  ])('refuses %s with 400 VALIDATION_FAILED and stays where it was', async (_, json) => {
    const before = (await call('GET', '/local/clock')).body;

    const response = await moveClock(json);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await call('GET', '/local/clock')).body.offsetMs).toBe(before.offsetMs);
  });

  it('goes back to the real time on {"reset": true}', async () => {
    const response = await moveClock({ reset: true });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ moved: false, offset: 'PT0S', offsetMs: 0 });
    expect(Date.parse(response.body.now as string)).toBeLessThan(Date.now() + 60_000);
  });
});
