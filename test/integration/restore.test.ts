import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';
import { publishedEvents } from '#test/support/events.ts';
import { purgePipeline } from '#test/support/purge-pipeline.ts';

const A = 'acct-restore';
// Unsubscribed 2026-04-10T15:30Z (23:30 UTC+8): log data until 16:00Z that day, config data a week (SPEC example 5).
const UNSUBSCRIBED_AT = '2026-04-10T15:30:00.000Z';
const LOG_PURGE_AT = '2026-04-10T16:00:00.000Z';
const CONFIG_PURGE_AT = '2026-04-17T15:30:00.000Z';

describe('restore by renewal (SPEC 3.5)', () => {
  let api: ApiHarness;
  let purge: (time: string) => Promise<unknown>;

  const ingest = (body: unknown) =>
    api.call('POST', '/internal/orders', { account: 'billing', internal: true, body });
  const renewal = (orderId: string, paidAt: string, periodEnd: string, cashPaid = 5000) =>
    orderBody(A, 'i-1', { orderId, type: 'RENEW', paidAt, periodStart: paidAt, periodEnd, cashPaid });
  const instance = async () => (await api.call('GET', '/instances/i-1', { account: A })).body;
  const dataKinds = async () =>
    (await api.allItems())
      .filter((i) => String(i.sk).startsWith('DATA#i-1#'))
      .map((i) => i.kind)
      .sort();

  beforeEach(async () => {
    api = await apiHarness({ now: '2026-04-01T00:00:00.000Z' });
    // The dispatcher and a worker, imported once the harness has set the environment they read at cold start.
    purge = purgePipeline(api.table);
    expect(
      (
        await ingest(
          orderBody(A, 'i-1', {
            orderId: 'n',
            paidAt: '2026-04-01T00:00:00.000Z',
            periodEnd: '2026-07-01T00:00:00.000Z',
            cashPaid: 9100,
          }),
        )
      ).status,
    ).toBe(201);
    api.setNow(UNSUBSCRIBED_AT);
    const quote = await api.call('POST', '/instances/i-1/refund-quotes', {
      account: A,
      body: { kind: 'UNSUBSCRIBE' },
    });
    const done = await api.call('POST', '/instances/i-1/unsubscriptions', {
      account: A,
      body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
      headers: { 'idempotency-key': 'k' },
    });
    expect(done.status).toBe(202);
  });

  it('before both deadlines: ACTIVE again, both kinds RESTORED, nothing purged later', async () => {
    api.setNow('2026-04-10T15:45:00.000Z');
    const restored = await ingest(renewal('r-1', '2026-04-10T15:45:00.000Z', '2026-05-10T15:45:00.000Z'));
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({
      status: 'ACTIVE',
      expiresAt: '2026-05-10T15:45:00.000Z',
      retention: {
        configData: { status: 'RESTORED', purgeAt: CONFIG_PURGE_AT, purgedAt: null },
        logData: { status: 'RESTORED', purgeAt: LOG_PURGE_AT, purgedAt: null },
      },
    });
    await purge('2026-04-20T00:00:00.000Z');
    expect((await instance()).retention.configData.status).toBe('RESTORED');
    expect(await dataKinds()).toEqual(['CONFIG', 'LOG']);
  });

  it('after the log deadline only: configuration RESTORED, log data stays PURGED', async () => {
    await purge(LOG_PURGE_AT);
    expect((await instance()).retention.logData).toEqual({
      status: 'PURGED',
      purgeAt: LOG_PURGE_AT,
      purgedAt: LOG_PURGE_AT,
    });
    api.setNow('2026-04-12T00:00:00.000Z');
    const restored = await ingest(renewal('r-1', '2026-04-12T00:00:00.000Z', '2026-05-12T00:00:00.000Z'));
    expect(restored.body.status).toBe('ACTIVE');
    expect(restored.body.retention.configData.status).toBe('RESTORED');
    expect(restored.body.retention.logData.status).toBe('PURGED');
    await purge('2026-04-20T00:00:00.000Z');
    expect(await dataKinds()).toEqual(['CONFIG']);
    expect((await instance()).status).toBe('ACTIVE');
  });

  it('after both deadlines: RELEASED, and a renewal is INSTANCE_RELEASED', async () => {
    await purge(CONFIG_PURGE_AT);
    const released = await instance();
    expect(released.status).toBe('RELEASED');
    expect(released.retention.configData).toEqual({
      status: 'PURGED',
      purgeAt: CONFIG_PURGE_AT,
      purgedAt: CONFIG_PURGE_AT,
    });
    expect(await dataKinds()).toEqual([]);
    api.setNow('2026-04-18T00:00:00.000Z');
    const refused = await ingest(renewal('r-late', '2026-04-18T00:00:00.000Z', '2026-05-18T00:00:00.000Z'));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INSTANCE_RELEASED');
  });

  it('events: unsubscribed, restored and unsubscribed again within one minute are stamped with their own times and versions', async () => {
    api.setNow('2026-04-10T15:30:40.000Z');
    expect(
      (await ingest(renewal('r-1', '2026-04-10T15:30:40.000Z', '2026-05-10T15:30:40.000Z'))).status,
    ).toBe(201);
    api.setNow('2026-04-10T15:30:50.000Z');
    const quote = await api.call('POST', '/instances/i-1/refund-quotes', {
      account: A,
      body: { kind: 'UNSUBSCRIBE' },
    });
    const again = await api.call('POST', '/instances/i-1/unsubscriptions', {
      account: A,
      body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
      headers: { 'idempotency-key': 'k-again' },
    });
    expect(again.status).toBe(202);

    const events = (await publishedEvents(api.config.tableName)).filter(
      (e) => e.type === 'InstanceUnsubscribed' || e.type === 'InstanceRestored',
    );
    const version = (await api.stores.instances.get(A, 'i-1'))?.version ?? 0;
    const byTime = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    expect(byTime.map((e) => [e.type, e.version, e.occurredAt, e.data.instanceVersion])).toEqual([
      ['InstanceUnsubscribed', 2, UNSUBSCRIBED_AT, version - 2],
      ['InstanceRestored', 2, '2026-04-10T15:30:40.000Z', version - 1],
      ['InstanceUnsubscribed', 2, '2026-04-10T15:30:50.000Z', version],
    ]);
  });

  it('a restored instance refunds only its new order when unsubscribed again', async () => {
    api.setNow('2026-04-11T00:00:00.000Z');
    await ingest(renewal('r-1', '2026-04-11T00:00:00.000Z', '2026-05-11T00:00:00.000Z', 3000));
    api.setNow('2026-05-01T00:00:00.000Z');
    const quote = await api.call('POST', '/instances/i-1/refund-quotes', {
      account: A,
      body: { kind: 'UNSUBSCRIBE' },
    });
    expect(quote.body.refundType).toBe('PARTIAL_REFUND');
    expect(quote.body.lines.map((l: { orderId: string }) => l.orderId)).toEqual(['r-1']);
    // 30-day term, 20 days used: floor(3000 × 10 / 30) = 1000.
    expect(quote.body.refundAmount).toBe(1000);
  });
});
