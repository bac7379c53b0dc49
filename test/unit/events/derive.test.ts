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
): ItemChange => ({ key: { pk: 'ACCT#a-1', sk }, oldImage, newImage });
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
    expect(first).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      type: 'InstanceUnsubscribed',
      version: 2,
      accountId: 'a-1',
      occurredAt: '2026-03-05T10:00:00.000Z',
      data: { instanceId: 'i-1', instanceVersion: 3 },
    });
    expect(eventsFromChange(c)[0]?.id).toBe(first?.id);
    expect(types(change('INST#i-1', instance({ version: 3 }), instance({ version: 4 })))).toEqual([]);
  });

  it('a restore is InstanceRestored at the restoredAt of the instance, after the unsubscription it undoes', () => {
    // Unsubscribed and restored within one minute: the order of the facts is in the items.
    const unsubscribedAt = Date.parse('2026-04-10T15:30:20.000Z');
    const restoredAt = Date.parse('2026-04-10T15:30:40.000Z');
    const down = instance({ status: 'UNSUBSCRIBED', version: 3, unsubscribedAt });
    const [unsubscribed] = eventsFromChange(change('INST#i-1', instance({}), down));
    const [restored, ...rest] = eventsFromChange(
      change('INST#i-1', down, instance({ version: 4, unsubscribedAt, restoredAt })),
    );
    expect(rest).toEqual([]);
    expect(restored).toMatchObject({
      type: 'InstanceRestored',
      version: 2,
      occurredAt: '2026-04-10T15:30:40.000Z',
      data: { instanceId: 'i-1', instanceVersion: 4 },
    });
    expect(unsubscribed).toMatchObject({
      occurredAt: '2026-04-10T15:30:20.000Z',
      data: { instanceId: 'i-1', instanceVersion: 3 },
    });
  });

  it('an item without the time of its fact is a bug: deriving it throws (never the stream time)', () => {
    const down = instance({ status: 'UNSUBSCRIBED', version: 3, unsubscribedAt: AT });
    expect(() => eventsFromChange(change('INST#i-1', down, instance({ version: 4 })))).toThrow(
      /InstanceRestored: the item does not record restoredAt/,
    );
    expect(() =>
      eventsFromChange(change('INST#i-1', instance({}), instance({ status: 'UNSUBSCRIBED', version: 3 }))),
    ).toThrow(/InstanceUnsubscribed/);
    const entry = { unsubscribeOrderId: 'uo-1', orderId: 'o-1', currency: 'USD', amount: 1, cause: 'X' };
    expect(() => eventsFromChange(change('LEDGER#uo-1#o-1', null, entry))).toThrow(/AccountBalanceCredited/);
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
    expect(eventsFromChange(last).map((e) => [e.type, e.data.instanceVersion, e.occurredAt])).toEqual([
      ['RetentionDataPurged', 4, new Date(AT).toISOString()],
      ['InstanceReleased', 4, new Date(AT).toISOString()],
    ]);
  });

  it('settling an order yields one RefundLineSettled per newly settled line (where the money went) and one success', () => {
    const SETTLED_AT = AT + 5_000;
    const line = (orderId: string, status: string, settledTo: string | null = null) => ({
      orderId,
      status,
      refundAmount: 100,
      destination: 'ORIGINAL_PAYMENT_METHOD',
      settledTo,
      settledAt: status === 'SETTLED' ? SETTLED_AT : null,
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
      settledAt: status === 'SUCCEEDED' ? SETTLED_AT : null,
      history: [],
    });
    const accepted = eventsFromChange(
      change('UORDER#uo-1', null, {
        ...order('PENDING', [line('o-1', 'PENDING')]),
        refundType: 'PARTIAL_REFUND',
        createdAt: AT,
      }),
    );
    expect(accepted.map((e) => [e.type, e.occurredAt, e.data])).toEqual([
      [
        'UnsubscribeOrderAccepted',
        '2026-03-05T10:00:00.000Z',
        {
          unsubscribeOrderId: 'uo-1',
          instanceId: 'i-1',
          kind: 'UNSUBSCRIBE',
          refundType: 'PARTIAL_REFUND',
          currency: 'USD',
          refundAmount: 200,
          dueBy: '2026-03-05T10:00:00.000Z',
        },
      ],
    ]);
    expect(JSON.stringify(accepted)).not.toMatch(/private words|card-4242/);
    const settled = change(
      'UORDER#uo-1',
      order('PROCESSING', [line('o-1', 'SETTLED', 'ACCOUNT_BALANCE'), line('o-2', 'PENDING')]),
      order('SUCCEEDED', [
        line('o-1', 'SETTLED', 'ACCOUNT_BALANCE'),
        line('o-2', 'SETTLED', 'ACCOUNT_BALANCE'),
      ]),
    );
    const events = eventsFromChange(settled);
    expect(events.map((e) => [e.type, e.data.orderId, e.data.destination, e.occurredAt])).toEqual([
      ['RefundLineSettled', 'o-2', 'ACCOUNT_BALANCE', new Date(SETTLED_AT).toISOString()],
      ['UnsubscribeOrderSucceeded', undefined, undefined, new Date(SETTLED_AT).toISOString()],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/private words|card-4242/);
  });

  it('a renewal cancellation, an order needing attention and an SLA breach are each one event', () => {
    const order = {
      unsubscribeOrderId: 'uo-2',
      instanceId: 'i-1',
      type: 'CANCEL_RENEWAL',
      status: 'PENDING',
      createdAt: AT,
      history: [{ status: 'PENDING', at: AT }],
    };
    const cancelled = eventsFromChange(
      change('UORDER#uo-2', null, {
        ...order,
        refundType: 'RENEWAL_CANCELLATION',
        currency: 'USD',
        refundAmount: 5,
        dueBy: AT,
      }),
    );
    expect(cancelled.map((e) => [e.type, e.occurredAt])).toEqual([
      ['UnsubscribeOrderAccepted', new Date(AT).toISOString()],
      ['RenewalCancelled', new Date(AT).toISOString()],
    ]);
    const attention = {
      ...order,
      status: 'NEEDS_ATTENTION',
      history: [...order.history, { status: 'NEEDS_ATTENTION', at: AT + 7_000, note: 'DEAD_LETTERED' }],
    };
    expect(
      eventsFromChange(change('UORDER#uo-2', order, attention)).map((e) => [e.type, e.occurredAt]),
    ).toEqual([['UnsubscribeOrderNeedsAttention', new Date(AT + 7_000).toISOString()]]);
    const late = { ...order, status: 'SUCCEEDED', slaBreached: true, dueBy: AT, settledAt: AT + 9_000 };
    expect(
      eventsFromChange(change('UORDER#uo-2', attention, late)).map((e) => [e.type, e.occurredAt]),
    ).toEqual([
      ['UnsubscribeOrderSucceeded', new Date(AT + 9_000).toISOString()],
      ['SlaBreached', new Date(AT + 9_000).toISOString()],
    ]);
    expect(types(change('QUOTE#q-1', null, { quoteId: 'q-1' }))).toEqual([]);
  });

  describe('payment provider transitions (Stripe)', () => {
    const SUBMITTED_AT = AT + 1_000;
    const FAILED_AT = AT + 60_000;
    const line = (extra: Record<string, unknown>) => ({
      orderId: 'o-1',
      status: 'PENDING',
      refundAmount: 700,
      destination: 'ORIGINAL_PAYMENT_METHOD',
      settledTo: null,
      settledAt: null,
      paymentMethod: { type: 'CARD', reference: 'ch_secret' },
      ...extra,
    });
    const order = (lines: unknown[], history: unknown[] = [], status = 'PROCESSING') => ({
      unsubscribeOrderId: 'uo-3',
      instanceId: 'i-1',
      type: 'UNSUBSCRIBE',
      status,
      currency: 'EUR',
      refundAmount: 700,
      lines,
      slaBreached: false,
      dueBy: AT,
      settledAt: status === 'SUCCEEDED' ? FAILED_AT : null,
      history,
    });
    const submitted = line({ status: 'SUBMITTED', providerRefundId: 're_123', submittedAt: SUBMITTED_AT });

    it('an accepted refund is RefundLineSubmitted at its submission time, without the provider refund id', () => {
      const events = eventsFromChange(change('UORDER#uo-3', order([line({})]), order([submitted])));
      expect(events).toMatchObject([
        {
          type: 'RefundLineSubmitted',
          occurredAt: new Date(SUBMITTED_AT).toISOString(),
          data: { unsubscribeOrderId: 'uo-3', orderId: 'o-1', currency: 'EUR', refundAmount: 700 },
        },
      ]);
      expect(JSON.stringify(events)).not.toMatch(/re_123|ch_secret/);
      // Redelivered unchanged image: nothing new.
      expect(types(change('UORDER#uo-3', order([submitted]), order([submitted])))).toEqual([]);
    });

    it('a submitted refund that fails is settled to the balance (one RefundLineSettled), not a reversal', () => {
      const credited = line({ status: 'SETTLED', settledTo: 'ACCOUNT_BALANCE', settledAt: FAILED_AT });
      const events = eventsFromChange(
        change('UORDER#uo-3', order([submitted]), order([credited], [], 'SUCCEEDED')),
      );
      expect(events.map((e) => [e.type, e.data.destination ?? null])).toEqual([
        ['RefundLineSettled', 'ACCOUNT_BALANCE'],
        ['UnsubscribeOrderSucceeded', null],
      ]);
    });

    it('a refund that fails after settling to the card is one RefundLineReversed at the reversal time', () => {
      const toCard = line({ status: 'SETTLED', settledTo: 'ORIGINAL_PAYMENT_METHOD', settledAt: AT });
      const reversed = { ...toCard, settledTo: 'ACCOUNT_BALANCE' };
      const history = [{ status: 'SUCCEEDED', at: FAILED_AT, note: 'REFUND_REVERSED', orderId: 'o-1' }];
      const c = change(
        'UORDER#uo-3',
        order([toCard], [], 'SUCCEEDED'),
        order([reversed], history, 'SUCCEEDED'),
      );
      const [event, ...rest] = eventsFromChange(c);
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: 'RefundLineReversed',
        occurredAt: new Date(FAILED_AT).toISOString(),
        data: { orderId: 'o-1', refundAmount: 700, destination: 'ACCOUNT_BALANCE' },
      });
      expect(eventsFromChange(c)[0]?.id).toBe(event?.id);
    });

    it('a ledger entry is one AccountBalanceCredited with its cause; ledger entries never change', () => {
      const entry = {
        entryId: 'uo-3#o-1',
        accountId: 'a-1',
        unsubscribeOrderId: 'uo-3',
        orderId: 'o-1',
        currency: 'EUR',
        amount: 700,
        cause: 'PROVIDER_REVERSED',
        createdAt: FAILED_AT,
      };
      const events = eventsFromChange(change('LEDGER#uo-3#o-1', null, entry));
      expect(events).toMatchObject([
        {
          type: 'AccountBalanceCredited',
          accountId: 'a-1',
          occurredAt: new Date(FAILED_AT).toISOString(),
          data: { unsubscribeOrderId: 'uo-3', orderId: 'o-1', amount: 700, cause: 'PROVIDER_REVERSED' },
        },
      ]);
      expect(types(change('LEDGER#uo-3#o-1', entry, null))).toEqual([]);
    });

    it('provider-refund lookup items and other partitions carry no events', () => {
      const lookup = { key: { pk: 'REFUND#re_123', sk: 'REFUND#re_123' }, oldImage: null };
      expect(eventsFromChange({ ...lookup, newImage: { accountId: 'a-1' } })).toEqual([]);
    });
  });
});
