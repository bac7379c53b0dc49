import { readFileSync } from 'node:fs';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { PolicyRegistry } from '#policy/index.ts';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';
import { fingerprint } from '#use-cases/fingerprint.ts';

const A = 'acct-a';
const ingest = (api: ApiHarness, body: unknown) =>
  api.call('POST', '/internal/orders', { account: 'billing', internal: true, body });

/** SPEC 2.6 example 1: bought 2026-03-02T02:00Z for a year, 99900 cash + 10000 voucher. */
async function example1(api: ApiHarness, instanceId = 'i-1', account = A) {
  const created = await ingest(
    api,
    orderBody(account, instanceId, {
      orderId: `${instanceId}-new`,
      paidAt: '2026-03-02T02:00:00.000Z',
      periodEnd: '2027-03-02T02:00:00.000Z',
      cashPaid: 99900,
      voucherPaid: 10000,
    }),
  );
  expect(created.status).toBe(201);
}

async function quote(
  api: ApiHarness,
  instanceId = 'i-1',
  body: unknown = { kind: 'UNSUBSCRIBE' },
  account = A,
) {
  return api.call('POST', `/instances/${instanceId}/refund-quotes`, { account, body });
}

const unsubscribeCall = (
  api: ApiHarness,
  instanceId: string,
  key: string | undefined,
  body: unknown,
  account = A,
) =>
  api.call('POST', `/instances/${instanceId}/unsubscriptions`, {
    account,
    body,
    headers: key === undefined ? {} : { 'idempotency-key': key },
  });

describe('quote → unsubscribe → order details', () => {
  let api: ApiHarness;

  beforeEach(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
    await example1(api);
  });

  it('quotes the unconditional full refund of example 1 and stores it for 15 minutes', async () => {
    const answer = await quote(api);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      quoteId: expect.stringMatching(/^q-/),
      instanceId: 'i-1',
      kind: 'UNSUBSCRIBE',
      refundType: 'FULL_REFUND',
      currency: 'USD',
      refundAmount: 99900,
      nonRefundableVoucherAmount: 10000,
      lines: [
        {
          orderId: 'i-1-new',
          cashPaid: 99900,
          voucherPaid: 10000,
          usedDays: 4,
          termDays: 365,
          refundAmount: 99900,
          destination: 'ORIGINAL_PAYMENT_METHOD',
        },
      ],
      retention: {
        configDataPurgeAt: '2026-03-12T10:00:00.000Z',
        logDataPurgeAt: '2026-03-05T16:00:00.000Z',
      },
      asOf: '2026-03-05T10:00:00.000Z',
      expiresAt: '2026-03-05T10:15:00.000Z',
      // Confirmed by Thursday 18:15 UTC+8: Friday, Monday → due at the start of Tuesday (UTC+8).
      dueBy: '2026-03-09T16:00:00.000Z',
      policy: { id: 'security-center/international', version: 1 },
      derivation: expect.objectContaining({
        schema: 'refund-derivation/1',
        eligibility: expect.objectContaining({
          rule: 'FULL_REFUND_WITHIN_WINDOW',
          windowEndsAt: '2026-03-07T02:00:00.000Z',
          quota: { year: 2026, allowedPerYear: 1, used: false, usedBy: null },
        }),
      }),
    });
    // The derivation names the payment method's type, never its reference.
    expect(JSON.stringify(answer.body.derivation)).not.toContain('reference');
  });

  it('unsubscribes exactly once with the quoted amount: order, instance, quota, retention and queue', async () => {
    const { body: q } = await quote(api);
    api.advance(60_000);
    const answer = await unsubscribeCall(api, 'i-1', 'key-1', {
      ...confirmedUnsubscribe(q.quoteId, 'FULL_REFUND'),
      reason: { code: 'OTHER', text: 'moving to another provider' },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      instanceId: 'i-1',
      type: 'UNSUBSCRIBE',
      refundType: 'FULL_REFUND',
      status: 'PENDING',
      currency: 'USD',
      refundAmount: 99900,
      createdAt: '2026-03-05T10:01:00.000Z',
      // Thursday 18:01 UTC+8 → Friday, Monday → due at the start of Tuesday 2026-03-10 (UTC+8).
      dueBy: q.dueBy, // the due-by the quote announced
      settledAt: null,
      slaBreached: false,
      history: [{ status: 'PENDING', at: '2026-03-05T10:01:00.000Z' }],
      reason: { code: 'OTHER', text: 'moving to another provider' },
    });
    expect(answer.body.lines).toEqual([
      expect.objectContaining({
        orderId: 'i-1-new',
        refundAmount: 99900,
        status: 'PENDING',
        settledAt: null,
      }),
    ]);
    expect(JSON.stringify(answer.body)).not.toContain('card-4242');

    const details = await api.call('GET', `/unsubscribe-orders/${answer.body.unsubscribeOrderId}`, {
      account: A,
    });
    expect(details.status).toBe(200);
    expect(details.body).toEqual(answer.body);

    const instance = await api.call('GET', '/instances/i-1', { account: A });
    expect(instance.body).toMatchObject({
      status: 'UNSUBSCRIBED',
      unsubscribedAt: '2026-03-05T10:01:00.000Z',
      expiresAt: '2026-03-05T10:01:00.000Z',
      retention: {
        configData: { status: 'RETAINED', purgeAt: '2026-03-12T10:01:00.000Z', purgedAt: null },
        logData: { status: 'RETAINED', purgeAt: '2026-03-05T16:00:00.000Z', purgedAt: null },
      },
    });

    // The year's unconditional refund is used: another instance bought the same days only gets a partial one.
    await example1(api, 'i-2');
    const second = await quote(api, 'i-2');
    expect(second.body.refundType).toBe('PARTIAL_REFUND');

    const received = await api.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: api.queues.refundQueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages?.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
      { accountId: A, unsubscribeOrderId: answer.body.unsubscribeOrderId },
    ]);
    const listed = await api.call('GET', '/unsubscribe-orders?instanceId=i-1', { account: A });
    expect(listed.body.items.map((o: { unsubscribeOrderId: string }) => o.unsubscribeOrderId)).toEqual([
      answer.body.unsubscribeOrderId,
    ]);
  });

  it('replays the first answer for the same key and body, and refuses the key with another body', async () => {
    const { body: q } = await quote(api);
    const body = confirmedUnsubscribe(q.quoteId, 'FULL_REFUND');
    const first = await unsubscribeCall(api, 'i-1', 'key-r', body);
    api.advance(5 * 60_000);
    const replay = await unsubscribeCall(api, 'i-1', 'key-r', body);
    expect(replay.status).toBe(202);
    expect(replay.raw).toBe(first.raw);

    const reused = await unsubscribeCall(api, 'i-1', 'key-r', { ...body, reason: { code: 'TOO_EXPENSIVE' } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const anotherKey = await unsubscribeCall(api, 'i-1', 'key-other', body);
    expect(anotherKey.status).toBe(409);
    expect(anotherKey.body.error.code).toBe('QUOTE_ALREADY_USED');
    const orders = await api.call('GET', '/unsubscribe-orders', { account: A });
    expect(orders.body.items).toHaveLength(1);
  });

  it('answers IDEMPOTENCY_IN_PROGRESS while the first request with the key is running', async () => {
    const { body: q } = await quote(api);
    const body = confirmedUnsubscribe(q.quoteId, 'FULL_REFUND');
    // The first request has claimed the key and is still running (claimed directly in the store).
    await api.stores.idempotency.begin(A, 'key-busy', fingerprint('unsubscribe', 'i-1', body), api.now());
    const answer = await unsubscribeCall(api, 'i-1', 'key-busy', body);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect((await api.stores.instances.get(A, 'i-1'))?.status).toBe('ACTIVE');
  });

  it('requires an Idempotency-Key, both confirmations, the quoted refund type and a valid reason', async () => {
    const { body: q } = await quote(api);
    const body = confirmedUnsubscribe(q.quoteId, 'FULL_REFUND');

    const noKey = await unsubscribeCall(api, 'i-1', undefined, body);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.details.issues[0].field).toBe('Idempotency-Key');
    const longKey = await unsubscribeCall(api, 'i-1', 'k'.repeat(256), body);
    expect(longKey.status).toBe(400);

    const unconfirmed = await unsubscribeCall(api, 'i-1', 'key-c', {
      ...body,
      confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: false },
    });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.error).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      details: { missing: ['dataBackupConfirmed'] },
    });
    const { confirmations: _none, ...withoutConfirmations } = body;
    const none = await unsubscribeCall(api, 'i-1', 'key-c2', withoutConfirmations);
    expect(none.body.error.details.missing).toEqual(['rulesAndAmountConfirmed', 'dataBackupConfirmed']);

    const mismatch = await unsubscribeCall(api, 'i-1', 'key-m', { ...body, refundType: 'PARTIAL_REFUND' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error).toMatchObject({
      code: 'REFUND_TYPE_MISMATCH',
      details: { quoted: 'FULL_REFUND', requested: 'PARTIAL_REFUND' },
    });

    const otherWithoutText = await unsubscribeCall(api, 'i-1', 'key-o', {
      ...body,
      reason: { code: 'OTHER' },
    });
    expect(otherWithoutText.status).toBe(400);
    expect(otherWithoutText.body.error.details.issues[0].field).toBe('reason.text');
    const longText = await unsubscribeCall(api, 'i-1', 'key-t', {
      ...body,
      reason: { code: 'OTHER', text: 'x'.repeat(501) },
    });
    expect(longText.status).toBe(400);

    // A refused request changes nothing, and its key can be used again once the request is fixed.
    expect((await api.stores.instances.get(A, 'i-1'))?.status).toBe('ACTIVE');
    const fixed = await unsubscribeCall(api, 'i-1', 'key-c', body);
    expect(fixed.status).toBe(202);
  });

  it('answers QUOTE_EXPIRED from exactly 15 minutes after the quote', async () => {
    const { body: q } = await quote(api);
    api.advance(15 * 60_000);
    const expired = await unsubscribeCall(
      api,
      'i-1',
      'key-e',
      confirmedUnsubscribe(q.quoteId, 'FULL_REFUND'),
    );
    expect(expired.status).toBe(409);
    expect(expired.body.error).toMatchObject({
      code: 'QUOTE_EXPIRED',
      details: { expiresAt: '2026-03-05T10:15:00.000Z' },
    });

    const { body: q2 } = await quote(api);
    api.advance(15 * 60_000 - 1);
    const inTime = await unsubscribeCall(
      api,
      'i-1',
      'key-e2',
      confirmedUnsubscribe(q2.quoteId, 'FULL_REFUND'),
    );
    expect(inTime.status).toBe(202);
  });

  it('answers QUOTE_STALE when orders or flags changed since the quote, and re-checks flags', async () => {
    const { body: q } = await quote(api);
    const flags = (value: boolean) =>
      api.call('PUT', '/internal/instances/i-1/flags', {
        account: 'billing',
        internal: true,
        body: { accountId: A, overduePayment: value },
      });
    await flags(true);
    const locked = await unsubscribeCall(api, 'i-1', 'key-s', confirmedUnsubscribe(q.quoteId, 'FULL_REFUND'));
    expect(locked.status).toBe(409);
    expect(locked.body.error).toEqual({
      code: 'RESOURCE_INFO_UNAVAILABLE',
      message: 'Failed to obtain unsubscription resource information',
      details: { reasons: ['OVERDUE_PAYMENT'] },
    });
    await flags(false);
    const stale = await unsubscribeCall(api, 'i-1', 'key-s', confirmedUnsubscribe(q.quoteId, 'FULL_REFUND'));
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('QUOTE_STALE');
    expect((await api.stores.instances.get(A, 'i-1'))?.status).toBe('ACTIVE');
  });

  it('answers NOT_FOUND for a quote of another instance or kind, and INSTANCE_NOT_ACTIVE after unsubscribing', async () => {
    await example1(api, 'i-2');
    const { body: q2 } = await quote(api, 'i-2');
    const wrongInstance = await unsubscribeCall(
      api,
      'i-1',
      'key-w',
      confirmedUnsubscribe(q2.quoteId, 'FULL_REFUND'),
    );
    expect(wrongInstance.status).toBe(404);

    const { body: q1 } = await quote(api);
    expect(
      (await unsubscribeCall(api, 'i-1', 'key-1', confirmedUnsubscribe(q1.quoteId, 'FULL_REFUND'))).status,
    ).toBe(202);
    const again = await quote(api);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INSTANCE_NOT_ACTIVE');
    // i-2's quote was taken before i-1 used the year's quota: executing it now is stale.
    const afterQuota = await unsubscribeCall(
      api,
      'i-2',
      'key-2',
      confirmedUnsubscribe(q2.quoteId, 'FULL_REFUND'),
    );
    expect(afterQuota.status).toBe(409);
    expect(afterQuota.body.error.code).toBe('QUOTE_STALE');
  });

  it('refuses to quote what the policy refuses: NOT_FOUND, NOT_REFUNDABLE, NOTHING_TO_REFUND, bad kinds', async () => {
    expect((await quote(api, 'nope')).status).toBe(404);

    await ingest(
      api,
      orderBody(
        A,
        'payg',
        {
          orderId: 'payg-new',
          paidAt: '2026-03-01T00:00:00.000Z',
          periodEnd: '2026-04-01T00:00:00.000Z',
          cashPaid: 5,
        },
        { billingMethod: 'PAY_AS_YOU_GO' },
      ),
    );
    const payg = await quote(api, 'payg');
    expect(payg.status).toBe(422);
    expect(payg.body.error.code).toBe('NOT_REFUNDABLE');

    await ingest(
      api,
      orderBody(A, 'ended', {
        orderId: 'ended-new',
        paidAt: '2025-01-01T00:00:00.000Z',
        periodEnd: '2025-02-01T00:00:00.000Z',
        cashPaid: 500,
      }),
    );
    const nothing = await quote(api, 'ended');
    expect(nothing.status).toBe(422);
    expect(nothing.body.error.code).toBe('NOTHING_TO_REFUND');

    const badKind = await quote(api, 'i-1', { kind: 'REFUND_EVERYTHING' });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.details.issues[0].field).toBe('kind');
    const misplaced = await quote(api, 'i-1', {
      kind: 'UNSUBSCRIBE',
      updatedExpirationTime: '2026-06-01T00:00:00.000Z',
    });
    expect(misplaced.status).toBe(400);
  });

  it('keeps the order PENDING for the reconciler when the enqueue after the commit fails', async () => {
    const failing = await apiHarness({
      now: '2026-03-05T10:00:00.000Z',
      queue: {
        enqueue: async () => {
          throw new Error('SQS is unavailable');
        },
      },
    });
    await example1(failing);
    const { body: q } = await quote(failing);
    const answer = await unsubscribeCall(
      failing,
      'i-1',
      'key-f',
      confirmedUnsubscribe(q.quoteId, 'FULL_REFUND'),
    );
    expect(answer.status).toBe(202);
    expect(failing.enqueueFailures).toHaveLength(1);
    const stored = await failing.stores.unsubscribeOrders.get(A, answer.body.unsubscribeOrderId);
    expect(stored?.status).toBe('PENDING');
    const items = await failing.allItems();
    expect(items.filter((i) => i.pendingPk !== undefined)).toHaveLength(1);
  });
});

describe('request bodies', () => {
  let api: ApiHarness;

  beforeEach(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
    await example1(api);
  });

  it('answers 413 over 16 KiB, 400 for malformed JSON, unknown fields and wrong types, and writes nothing', async () => {
    const before = await api.allItems();
    const big = await api.call('POST', '/instances/i-1/refund-quotes', {
      account: A,
      rawBody: JSON.stringify({ kind: 'UNSUBSCRIBE', pad: 'x'.repeat(16 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    const malformed = await api.call('POST', '/instances/i-1/refund-quotes', {
      account: A,
      rawBody: '{"kind": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');

    const unknown = await api.call('POST', '/instances/i-1/refund-quotes', {
      account: A,
      body: { kind: 'UNSUBSCRIBE', discount: 100 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues).toEqual([{ field: 'discount', message: 'unknown field' }]);

    const wrongType = await unsubscribeCall(api, 'i-1', 'k', {
      quoteId: 42,
      refundType: 'FULL_REFUND',
      confirmations: { rulesAndAmountConfirmed: 'yes', dataBackupConfirmed: true },
      reason: { code: 'NO_LONGER_NEEDED' },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual([
      'quoteId',
      'confirmations.rulesAndAmountConfirmed',
    ]);
    expect(await api.allItems()).toEqual(before);
  });
});

describe('a policy version released between a quote and its unsubscription', () => {
  it('the quote still binds with its version; new quotes use the new one; the order keeps the quote version', async () => {
    const api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
    await example1(api);
    const { body: q1 } = await quote(api);
    expect(q1).toMatchObject({ refundType: 'FULL_REFUND', refundAmount: 99900, policy: { version: 1 } });

    // Version 2 shortens the window to 3 days, effective 30 s from now.
    const v1 = JSON.parse(
      readFileSync(new URL('../../policies/security-center/international/v1.json', import.meta.url), 'utf8'),
    );
    const v2 = {
      ...v1,
      version: 2,
      effectiveFrom: '2026-03-05T10:00:30.000Z',
      fullRefund: { windowHours: 72, perAccountProductYear: 1 },
    };
    api.releasePolicies(
      new PolicyRegistry({
        'policies/security-center/international/v1.json': v1,
        'policies/security-center/international/v2.json': v2,
      }),
    );
    api.advance(60_000);
    const { body: q2 } = await quote(api);
    expect(q2).toMatchObject({
      refundType: 'PARTIAL_REFUND',
      policy: { version: 2 },
      derivation: {
        eligibility: { rule: 'PARTIAL_WINDOW_CLOSED', windowEndsAt: '2026-03-05T02:00:00.000Z' },
      },
    });

    const answer = await unsubscribeCall(
      api,
      'i-1',
      'key-v1',
      confirmedUnsubscribe(q1.quoteId, 'FULL_REFUND'),
    );
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      refundType: 'FULL_REFUND',
      refundAmount: 99900,
      policy: { id: 'security-center/international', version: 1 },
      derivation: {
        policy: { version: 1 },
        eligibility: { rule: 'FULL_REFUND_WITHIN_WINDOW' },
        retention: { configDataHours: 168, unsubscribedAt: '2026-03-05T10:01:00.000Z' },
        dueBy: { confirmedDay: '2026-03-05', businessDays: ['2026-03-06', '2026-03-09'] },
      },
    });
    const shown = await api.call('GET', `/unsubscribe-orders/${answer.body.unsubscribeOrderId}`, {
      account: A,
    });
    expect(shown.body.derivation).toEqual(answer.body.derivation);
  });
});
