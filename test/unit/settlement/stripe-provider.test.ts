/**
 * The Stripe adapter with the real `stripe` SDK against a local fake of Stripe's API
 * (test/support/fake-stripe.ts, 127.0.0.1): request shape, idempotent replays, the error
 * mapping table of docs/payment-providers.md, retrieval, and webhook verification with the SDK's own
 * test-header helper.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createStripeClient,
  STRIPE_API_VERSION,
  StripeProvider,
  StripeRequestError,
  verifyWebhook,
} from '#adapters/stripe-provider.ts';
import { type ProviderRefundRequest, TransientProviderError } from '#ports/payment-provider.ts';
import {
  type FakeStripe,
  signedRefundEvent,
  startFakeStripe,
  TEST_WEBHOOK_SECRET,
} from '#test/support/fake-stripe.ts';

let fake: FakeStripe;
let provider: StripeProvider;
let stripe: ReturnType<typeof createStripeClient>;

beforeAll(async () => {
  fake = await startFakeStripe();
  // A short timeout so the "no answer" case ends quickly; no SDK retries (the queue retries).
  stripe = createStripeClient(fake.apiKey, { ...fake.clientOptions, timeoutMs: 300 });
  provider = new StripeProvider(stripe);
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.refundStatus = 'succeeded';
});

let n = 0;
function request(reference: string, amount = 1234, currency = 'USD'): ProviderRefundRequest {
  n += 1;
  return {
    idempotencyKey: `uo-${n}:o-1`,
    accountId: 'acct-1',
    unsubscribeOrderId: `uo-${n}`,
    orderId: 'o-1',
    amount,
    currency,
    paymentMethod: { type: 'CARD', reference },
  };
}

describe('refunds', () => {
  it('refunds a charge for the amount in minor units, with the idempotency key and id-only metadata', async () => {
    const charge = fake.addCharge({ amount: 5000 });
    const req = request(charge.id, 1234);
    const result = await provider.refund(req);
    expect(result).toEqual({ outcome: 'SUCCEEDED', providerRefundId: expect.stringMatching(/^re_/) });
    const sent = fake.requests.at(-1);
    expect(sent?.idempotencyKey).toBe(req.idempotencyKey);
    // The API version is pinned, not left to the installed SDK.
    expect(sent?.apiVersion).toBe(STRIPE_API_VERSION);
    expect(sent?.params).toEqual({
      charge: charge.id,
      amount: '1234',
      'metadata[unsubscribeOrderId]': req.unsubscribeOrderId,
      'metadata[orderId]': 'o-1',
      'metadata[accountId]': 'acct-1',
    });
  });

  it('refunds a payment intent', async () => {
    const charge = fake.addCharge({ amount: 900, paymentIntent: 'pi_abc123' });
    const result = await provider.refund(request('pi_abc123', 900));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(fake.requests.at(-1)?.params.payment_intent).toBe('pi_abc123');
    expect(fake.refunds().filter((r) => r.charge === charge.id)).toHaveLength(1);
  });

  it('a repeated key replays the first refund: one refund, the same id', async () => {
    const charge = fake.addCharge({ amount: 5000 });
    const req = request(charge.id, 1000);
    const first = await provider.refund(req);
    const second = await provider.refund(req);
    expect(second).toEqual(first);
    expect(fake.refunds().filter((r) => r.charge === charge.id)).toHaveLength(1);
  });

  it('after Stripe forgot the key (24 h, e.g. a redrive from the DLQ) the retry finds the first refund', async () => {
    const charge = fake.addCharge({ amount: 5000 });
    const req = request(charge.id, 1000);
    const first = await provider.refund(req);
    fake.forgetIdempotencyKeys();
    const lists = fake.lists();
    expect(await provider.refund(req)).toEqual(first);
    expect(fake.lists()).toBe(lists + 1);
    expect(fake.refunds().filter((r) => r.charge === charge.id)).toHaveLength(1);
    // Another line of the same charge is refunded on its own.
    const other = await provider.refund({
      ...req,
      orderId: 'o-2',
      idempotencyKey: `${req.unsubscribeOrderId}:o-2`,
    });
    if (first.outcome !== 'SUCCEEDED' || other.outcome !== 'SUCCEEDED')
      throw new Error('expected two refunds');
    expect(other.providerRefundId).not.toBe(first.providerRefundId);
    expect(fake.refunds().filter((r) => r.charge === charge.id)).toHaveLength(2);
  });

  it('a pending refund is SUBMITTED with its id', async () => {
    fake.refundStatus = 'pending';
    const charge = fake.addCharge({ amount: 5000 });
    const result = await provider.refund(request(charge.id));
    expect(result).toEqual({ outcome: 'SUBMITTED', providerRefundId: expect.stringMatching(/^re_/) });
  });

  it('a refund that failed at once is a definitive refusal', async () => {
    fake.refundStatus = 'failed';
    const charge = fake.addCharge({ amount: 5000 });
    expect(await provider.refund(request(charge.id))).toEqual({
      outcome: 'REFUSED',
      reason: 'METHOD_CLOSED',
    });
  });

  it('refuses to take a refund in another currency as done', async () => {
    const charge = fake.addCharge({ amount: 5000, currency: 'eur' });
    await expect(provider.refund(request(charge.id, 100, 'USD'))).rejects.toBeInstanceOf(StripeRequestError);
  });

  it('a reference that is neither a charge nor a payment intent never reaches Stripe', async () => {
    const before = fake.requests.length;
    await expect(provider.refund(request('card-4242'))).rejects.toBeInstanceOf(StripeRequestError);
    expect(fake.requests.length).toBe(before);
  });
});

describe('error mapping (docs/payment-providers.md, "Stripe")', () => {
  it.each([
    [{ status: 402, type: 'card_error', code: 'expired_card' }, 'METHOD_CLOSED'],
    [{ status: 402, type: 'card_error', code: 'card_declined' }, 'METHOD_INVALID'],
    [{ status: 400, type: 'invalid_request_error', code: 'charge_not_refundable' }, 'REFUND_NOT_ALLOWED'],
  ] as const)('%j → definitive refusal %s', async (failure, reason) => {
    const charge = fake.addCharge({ amount: 5000 });
    fake.failNext(failure);
    expect(await provider.refund(request(charge.id))).toEqual({ outcome: 'REFUSED', reason });
  });

  it.each([
    { status: 429, type: 'invalid_request_error', code: 'rate_limit' },
    { status: 500, type: 'api_error' },
    { status: 503, type: 'api_error' },
    { status: 409, type: 'invalid_request_error', code: 'lock_timeout' },
    { status: 409, type: 'idempotency_error', code: 'idempotency_key_in_use' },
  ])('%j → transient (retried, no fallback)', async (failure) => {
    const charge = fake.addCharge({ amount: 5000 });
    fake.failNext(failure);
    await expect(provider.refund(request(charge.id))).rejects.toBeInstanceOf(TransientProviderError);
  });

  it('no answer (timeout) → transient, and the retry with the same key refunds once', async () => {
    const charge = fake.addCharge({ amount: 5000 });
    const req = request(charge.id);
    fake.failNext({ hang: true });
    await expect(provider.refund(req)).rejects.toBeInstanceOf(TransientProviderError);
    expect((await provider.refund(req)).outcome).toBe('SUCCEEDED');
    expect(fake.refunds().filter((r) => r.charge === charge.id)).toHaveLength(1);
  });

  it('a connection refused → transient', async () => {
    const closed = await startFakeStripe();
    await closed.close();
    const offline = new StripeProvider(
      createStripeClient(fake.apiKey, { ...closed.clientOptions, timeoutMs: 300 }),
    );
    await expect(offline.refund(request('ch_gone'))).rejects.toBeInstanceOf(TransientProviderError);
  });

  it.each([
    ['a missing charge', () => request('ch_doesnotexist')],
    [
      'an already refunded charge (someone else refunded it: crediting could pay twice)',
      () => {
        const charge = fake.addCharge({ amount: 100 });
        fake.failNext({ status: 400, type: 'invalid_request_error', code: 'charge_already_refunded' });
        return request(charge.id, 100);
      },
    ],
    [
      'a disputed charge',
      () => {
        const charge = fake.addCharge({ amount: 100 });
        fake.failNext({ status: 400, type: 'invalid_request_error', code: 'charge_disputed' });
        return request(charge.id, 100);
      },
    ],
    [
      'a bad API key',
      () => {
        const charge = fake.addCharge({ amount: 100 });
        fake.failNext({ status: 401, type: 'invalid_request_error' });
        return request(charge.id, 100);
      },
    ],
  ])(
    '%s → neither refused nor transient: an error the queue retries into NEEDS_ATTENTION',
    async (_name, make) => {
      const error = await provider.refund(make()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StripeRequestError);
      expect(error).not.toBeInstanceOf(TransientProviderError);
    },
  );

  it('the same key with other parameters is never taken as the first refund', async () => {
    const charge = fake.addCharge({ amount: 5000 });
    const req = request(charge.id, 1000);
    await provider.refund(req);
    await expect(provider.refund({ ...req, amount: 2000 })).rejects.toBeInstanceOf(StripeRequestError);
  });
});

describe('retrieve', () => {
  it('reads the current state and the failure code', async () => {
    fake.refundStatus = 'pending';
    const charge = fake.addCharge({ amount: 5000 });
    const result = await provider.refund(request(charge.id));
    if (result.outcome !== 'SUBMITTED') throw new Error('expected SUBMITTED');
    expect(await provider.retrieve(result.providerRefundId)).toEqual({
      providerRefundId: result.providerRefundId,
      state: 'PENDING',
    });
    fake.finish(result.providerRefundId, 'failed', 'expired_or_canceled_card');
    expect(await provider.retrieve(result.providerRefundId)).toEqual({
      providerRefundId: result.providerRefundId,
      state: 'FAILED',
      failureReason: 'expired_or_canceled_card',
    });
  });

  it('an unknown refund cannot be retrieved', async () => {
    await expect(provider.retrieve('re_missing')).rejects.toBeInstanceOf(StripeRequestError);
  });
});

describe('webhook verification', () => {
  const now = Date.parse('2026-12-02T12:00:00.000Z');
  const verify = (body: string, signature: string | undefined, nowMs = now) =>
    verifyWebhook(stripe, {
      rawBody: body,
      signature,
      secret: TEST_WEBHOOK_SECRET,
      toleranceSeconds: 300,
      nowMs,
    });
  const refund = { id: 're_1', status: 'failed' as const, failure_reason: 'lost_or_stolen_card' };
  const at = Math.floor(now / 1000);

  it.each(['refund.updated', 'refund.failed', 'charge.refund.updated'])('reads %s', (type) => {
    const event = signedRefundEvent(refund, { type, timestampSeconds: at });
    expect(verify(event.body, event.signature)).toEqual({
      ok: true,
      update: { providerRefundId: 're_1', state: 'FAILED', failureReason: 'lost_or_stolen_card' },
    });
  });

  it('acknowledges and ignores other event types', () => {
    const event = signedRefundEvent(refund, { type: 'charge.succeeded', timestampSeconds: at });
    expect(verify(event.body, event.signature)).toEqual({ ok: true, update: null });
  });

  it('refuses a body that was changed, another secret, a missing header, an old event', () => {
    const event = signedRefundEvent(refund, { timestampSeconds: at });
    expect(verify(event.body.replace('re_1', 're_2'), event.signature).ok).toBe(false);
    const other = signedRefundEvent(refund, { secret: 'whsec_other', timestampSeconds: at });
    expect(verify(other.body, other.signature).ok).toBe(false);
    expect(verify(event.body, undefined).ok).toBe(false);
    expect(verify(event.body, event.signature, now + 301_000).ok).toBe(false);
    expect(verify(event.body, event.signature, now + 299_000).ok).toBe(true);
  });

  it('a failure code that is not a short code is stored as unknown', () => {
    const event = signedRefundEvent(
      { ...refund, failure_reason: 'Call me at +1 555 0100' },
      { timestampSeconds: at },
    );
    expect(verify(event.body, event.signature)).toMatchObject({ update: { failureReason: 'unknown' } });
  });
});
