import { describe, expect, it } from 'vitest';
import { eventsFromChange, type ItemChange } from '#shared/events/derive.ts';

const AT = Date.parse('2026-03-05T10:00:00.000Z');
const instance = (extra: Record<string, unknown>) => ({
  instanceId: 'i-1',
  version: 2,
  status: 'ACTIVE',
  retention: null,
  ...extra,
});
const change = (
  sk: string,
  oldImage: Record<string, unknown> | null,
  newImage: Record<string, unknown> | null,
): ItemChange => ({ key: { pk: 'ACCT#a-1', sk }, oldImage, newImage, at: AT });
const types = (c: ItemChange) => eventsFromChange(c).map((e) => e.type);

describe('events from item transitions', () => {
  it('an instance going ACTIVE → UNSUBSCRIBED is one InstanceUnsubscribed, the same id on redelivery', () => {
    const c = change(
      'INST#i-1',
      instance({}),
      instance({ status: 'UNSUBSCRIBED', version: 3, unsubscribedAt: AT }),
    );
    const [first, ...rest] = eventsFromChange(c);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      type: 'InstanceUnsubscribed',
      version: 1,
      accountId: 'a-1',
      occurredAt: '2026-03-05T10:00:00.000Z',
      data: { instanceId: 'i-1' },
    });
    expect(eventsFromChange(c)[0]?.id).toBe(first?.id);
    expect(types(change('INST#i-1', instance({ version: 3 }), instance({ version: 4 })))).toEqual([]);
  });

  it('a purge of the last kind yields RetentionDataPurged for that kind and InstanceReleased', () => {
    const retained = { status: 'RETAINED', purgeAt: AT, purgedAt: null };
    const purged = { status: 'PURGED', purgeAt: AT, purgedAt: AT };
    const first = change(
      'INST#i-1',
      instance({ status: 'UNSUBSCRIBED', retention: { configData: retained, logData: retained } }),
      instance({ status: 'UNSUBSCRIBED', version: 3, retention: { configData: retained, logData: purged } }),
    );
    expect(eventsFromChange(first).map((e) => [e.type, e.data.kind])).toEqual([
      ['RetentionDataPurged', 'LOG'],
    ]);
    const last = change(
      'INST#i-1',
      instance({ status: 'UNSUBSCRIBED', version: 3, retention: { configData: retained, logData: purged } }),
      instance({ status: 'RELEASED', version: 4, retention: { configData: purged, logData: purged } }),
    );
    expect(types(last)).toEqual(['RetentionDataPurged', 'InstanceReleased']);
  });

  it('settling an order yields one RefundLineSettled per newly settled line (where the money went) and one success', () => {
    const line = (orderId: string, status: string, settledTo: string | null = null) => ({
      orderId,
      status,
      refundAmount: 100,
      destination: 'ORIGINAL_PAYMENT_METHOD',
      settledTo,
      paymentMethod: { type: 'CARD', reference: 'card-4242' },
    });
    const order = (status: string, lines: unknown[]) => ({
      unsubscribeOrderId: 'uo-1',
      instanceId: 'i-1',
      type: 'UNSUBSCRIBE',
      status,
      currency: 'USD',
      refundAmount: 200,
      lines,
      reason: { code: 'OTHER', text: 'private words' },
      slaBreached: false,
      dueBy: AT,
      history: [],
    });
    expect(types(change('UORDER#uo-1', null, order('PENDING', [line('o-1', 'PENDING')])))).toEqual([]);
    const settled = change(
      'UORDER#uo-1',
      order('PROCESSING', [line('o-1', 'SETTLED', 'ACCOUNT_BALANCE'), line('o-2', 'PENDING')]),
      order('SUCCEEDED', [
        line('o-1', 'SETTLED', 'ACCOUNT_BALANCE'),
        line('o-2', 'SETTLED', 'ACCOUNT_BALANCE'),
      ]),
    );
    const events = eventsFromChange(settled);
    expect(events.map((e) => [e.type, e.data.orderId, e.data.destination])).toEqual([
      ['RefundLineSettled', 'o-2', 'ACCOUNT_BALANCE'],
      ['UnsubscribeOrderSucceeded', undefined, undefined],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/private words|card-4242/);
  });

  it('a renewal cancellation, an order needing attention and an SLA breach are each one event', () => {
    const order = {
      unsubscribeOrderId: 'uo-2',
      instanceId: 'i-1',
      type: 'CANCEL_RENEWAL',
      status: 'PENDING',
    };
    expect(types(change('UORDER#uo-2', null, { ...order, currency: 'USD', refundAmount: 5 }))).toEqual([
      'RenewalCancelled',
    ]);
    expect(
      types(
        change('UORDER#uo-2', order, { ...order, status: 'NEEDS_ATTENTION', slaBreached: true, dueBy: AT }),
      ),
    ).toEqual(['UnsubscribeOrderNeedsAttention', 'SlaBreached']);
    expect(types(change('QUOTE#q-1', null, { quoteId: 'q-1' }))).toEqual([]);
  });
});
