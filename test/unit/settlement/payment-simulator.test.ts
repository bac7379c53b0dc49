import { describe, expect, it } from 'vitest';
import { IdempotencyMismatchError, PaymentSimulator } from '#adapters/payment-simulator.ts';
import {
  type ProviderRefundRequest,
  refundIdempotencyKey,
  TransientProviderError,
} from '#ports/payment-provider.ts';

const request = (
  reference: string,
  overrides: Partial<ProviderRefundRequest> = {},
): ProviderRefundRequest => ({
  idempotencyKey: refundIdempotencyKey('uo-1', 'o-1'),
  accountId: 'acct-1',
  unsubscribeOrderId: 'uo-1',
  orderId: 'o-1',
  amount: 400,
  currency: 'USD',
  paymentMethod: { type: 'CARD', reference },
  ...overrides,
});

describe('PaymentSimulator (SPEC 3.4)', () => {
  it('derives the idempotency key from the unsubscribe order and the line', () => {
    expect(refundIdempotencyKey('uo-1', 'o-1')).toBe('uo-1:o-1');
  });

  it('refunds anything else once, and replays the same answer for the same key', async () => {
    const simulator = new PaymentSimulator();

    const first = await simulator.refund(request('card-4242'));
    const replay = await simulator.refund(request('card-4242'));

    expect(first).toEqual({
      outcome: 'SUCCEEDED',
      providerRefundId: expect.stringMatching(/^sim-[0-9a-f]{8}-1$/),
    });
    expect(replay).toEqual(first);
    expect(simulator.refundsMade()).toBe(1);
    expect(simulator.calls).toBe(2);
    expect(simulator.refunds()).toEqual([
      expect.objectContaining({ idempotencyKey: 'uo-1:o-1', amount: 400, currency: 'USD', orderId: 'o-1' }),
    ]);
  });

  it('refuses `closed-` references definitively and moves no money', async () => {
    const simulator = new PaymentSimulator();

    expect(await simulator.refund(request('closed-4000'))).toEqual({
      outcome: 'REFUSED',
      reason: 'METHOD_CLOSED',
    });
    expect(await simulator.refund(request('closed-4000'))).toEqual({
      outcome: 'REFUSED',
      reason: 'METHOD_CLOSED',
    });
    expect(simulator.refundsMade()).toBe(0);
  });

  it('fails `flaky-` references transiently twice per key, then succeeds once', async () => {
    const simulator = new PaymentSimulator();
    const other = request('flaky-1', { idempotencyKey: 'uo-1:o-2', orderId: 'o-2' });

    await expect(simulator.refund(request('flaky-1'))).rejects.toBeInstanceOf(TransientProviderError);
    await expect(simulator.refund(other)).rejects.toBeInstanceOf(TransientProviderError);
    await expect(simulator.refund(request('flaky-1'))).rejects.toBeInstanceOf(TransientProviderError);
    expect(await simulator.refund(request('flaky-1'))).toMatchObject({ outcome: 'SUCCEEDED' });
    expect(await simulator.refund(request('flaky-1'))).toMatchObject({ outcome: 'SUCCEEDED' });
    await expect(simulator.refund(other)).rejects.toBeInstanceOf(TransientProviderError);
    expect(simulator.refundsMade({ unsubscribeOrderId: 'uo-1' })).toBe(1);
  });

  it('takes the number of transient failures as an option', async () => {
    const simulator = new PaymentSimulator({ flakyFailures: 0, latencyMs: 1 });

    expect(await simulator.refund(request('flaky-1'))).toMatchObject({ outcome: 'SUCCEEDED' });
  });

  it('rejects a key reused for a different refund instead of refunding again', async () => {
    const simulator = new PaymentSimulator();
    await simulator.refund(request('card-4242'));

    await expect(simulator.refund(request('card-4242', { amount: 401 }))).rejects.toBeInstanceOf(
      IdempotencyMismatchError,
    );
    expect(simulator.refundsMade()).toBe(1);
    expect(simulator.refundsMade({ unsubscribeOrderId: 'uo-other' })).toBe(0);
  });
});
