/**
 * Edges of the settlement and purge use cases that a real table only shows under rare races
 * (a status changing under every attempt, an order vanishing, a completion lost to another
 * processor), driven through in-memory stores that behave like the DynamoDB adapters.
 */
import { describe, expect, it } from 'vitest';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import type { PaymentProvider } from '#ports/payment-provider.ts';
import type { DuePurge, PurgeStore } from '#ports/purges.ts';
import type { Completion, LineSettlement, SettlementStore, StatusChange } from '#ports/settlement.ts';
import type { InstanceRecord, RefundMessage, UnsubscribeOrder } from '#shared/model.ts';
import { orderFixture } from '#test/support/settlement-fixtures.ts';
import { purgeRetention } from '#use-cases/purge-retention.ts';
import { SettlementConflictError, type SettlementEvent, settleRefund } from '#use-cases/settle-refund.ts';

/** The adapter's semantics in memory, with hooks to misbehave. */
class MemoryOrders implements SettlementStore {
  order: UnsubscribeOrder | null;
  refuseTransitions = false;
  refuseCompletion = false;
  onRefusedCompletion: (() => void) | undefined;
  vanishAfterRefusal = false;

  constructor(order: UnsubscribeOrder | null) {
    this.order = order ? structuredClone(order) : null;
  }

  async get(_: RefundMessage) {
    return this.order ? structuredClone(this.order) : null;
  }

  async transition(_: RefundMessage, change: StatusChange) {
    if (!this.order || this.refuseTransitions || !change.from.includes(this.order.status)) {
      if (this.vanishAfterRefusal) this.order = null;
      return false;
    }
    this.order.status = change.to;
    this.order.history.push({
      status: change.to,
      at: change.at,
      ...(change.note ? { note: change.note } : {}),
    });
    return true;
  }

  async settleLine(_: RefundMessage, s: LineSettlement) {
    const line = this.order?.lines[s.index];
    if (line?.status !== 'PENDING') return false;
    Object.assign(line, { status: 'SETTLED', settledTo: s.settledTo, settledAt: s.settledAt });
    return true;
  }

  async complete(_: RefundMessage, c: Completion) {
    if (!this.order || this.refuseCompletion) {
      this.onRefusedCompletion?.();
      return false;
    }
    Object.assign(this.order, { status: 'SUCCEEDED', settledAt: c.settledAt, slaBreached: c.slaBreached });
    return true;
  }
}

const clock = { now: () => Date.parse('2026-03-05T10:01:00.000Z') };
const order = () =>
  orderFixture({ accountId: 'acct-1', unsubscribeOrderId: 'uo-1', lines: [{ amount: 100 }] });
const message = { accountId: 'acct-1', unsubscribeOrderId: 'uo-1' };

function deps(orders: MemoryOrders, provider: PaymentProvider = new PaymentSimulator()) {
  const events: SettlementEvent[] = [];
  return { deps: { orders, provider, clock, observe: (e: SettlementEvent) => events.push(e) }, events };
}

describe('settleRefund edges', () => {
  it('has nothing to do for an unknown order or one already SUCCEEDED', async () => {
    const missing = deps(new MemoryOrders(null));
    expect(await settleRefund(missing.deps, message, { receiveCount: 1 })).toEqual({ outcome: 'NOT_FOUND' });
    expect(missing.events).toEqual([{ type: 'ORDER_NOT_FOUND', unsubscribeOrderId: 'uo-1' }]);

    const done = new MemoryOrders({ ...order(), status: 'SUCCEEDED' });
    expect(await settleRefund(deps(done).deps, message, { receiveCount: 1 })).toEqual({
      outcome: 'ALREADY_SUCCEEDED',
    });
  });

  it('gives up (to be retried) when the status changes under every attempt, or the order vanishes', async () => {
    const busy = new MemoryOrders(order());
    busy.refuseTransitions = true;
    await expect(settleRefund(deps(busy).deps, message, { receiveCount: 1 })).rejects.toBeInstanceOf(
      SettlementConflictError,
    );

    const vanishing = new MemoryOrders(order());
    vanishing.refuseTransitions = true;
    vanishing.vanishAfterRefusal = true;
    await expect(settleRefund(deps(vanishing).deps, message, { receiveCount: 1 })).rejects.toThrow(
      'disappeared',
    );
  });

  it('answers ALREADY_SUCCEEDED when another processor completed the order first', async () => {
    const orders = new MemoryOrders(order());
    orders.refuseCompletion = true;
    orders.onRefusedCompletion = () => {
      if (orders.order) orders.order.status = 'SUCCEEDED';
    };

    expect(await settleRefund(deps(orders).deps, message, { receiveCount: 1 })).toEqual({
      outcome: 'ALREADY_SUCCEEDED',
    });
  });

  it('fails when completion is refused for another reason, and marks NEEDS_ATTENTION on the last receive', async () => {
    const orders = new MemoryOrders(order());
    orders.refuseCompletion = true;
    const { deps: d, events } = deps(orders);

    await expect(settleRefund(d, message, { receiveCount: 5 })).rejects.toBeInstanceOf(
      SettlementConflictError,
    );
    expect(orders.order?.status).toBe('NEEDS_ATTENTION');
    expect(orders.order?.history.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', note: 'DEAD_LETTERED' });
    expect(events.at(-1)).toEqual({ type: 'NEEDS_ATTENTION', unsubscribeOrderId: 'uo-1', receiveCount: 5 });
  });

  it('reports a provider error that is not a TransientProviderError as non-transient, and still never falls back', async () => {
    const orders = new MemoryOrders(order());
    const broken: PaymentProvider = {
      refund: async () => {
        throw new Error('HTTP 500');
      },
    };
    const { deps: d, events } = deps(orders, broken);

    await expect(settleRefund(d, message, { receiveCount: 1 })).rejects.toThrow('HTTP 500');
    expect(events).toContainEqual({
      type: 'PROVIDER_FAILED',
      unsubscribeOrderId: 'uo-1',
      orderId: 'o-1',
      transient: false,
    });
    expect(orders.order?.lines[0]?.status).toBe('PENDING');
  });

  it('does not mark an order that another processor completed meanwhile as NEEDS_ATTENTION', async () => {
    const orders = new MemoryOrders(order());
    orders.refuseCompletion = true;
    const transition = orders.transition.bind(orders);
    orders.transition = async (ref, change) => {
      // Another processor completes the order just before this one gives up.
      if (change.to === 'NEEDS_ATTENTION' && orders.order) orders.order.status = 'SUCCEEDED';
      return transition(ref, change);
    };
    const { deps: d, events } = deps(orders);

    await expect(settleRefund(d, message, { receiveCount: 6 })).rejects.toBeInstanceOf(
      SettlementConflictError,
    );
    expect(events.some((e) => e.type === 'NEEDS_ATTENTION')).toBe(false);
    expect(orders.order?.status).toBe('SUCCEEDED');
  });
});

/** A purge store in memory: one instance, purge items by kind. */
function memoryPurges(
  instance: InstanceRecord,
  items: DuePurge[],
  options: { refuseRecords?: boolean } = {},
) {
  const purgeItems = new Map(
    items.map((i) => [i.kind, { purgeAt: i.purgeAt, purgedAt: null as number | null }]),
  );
  const store: PurgeStore = {
    due: () => {
      const queue = [...items];
      return { next: async () => queue.shift() ?? null, hasMore: () => queue.length > 0 };
    },
    dueShardCount: 0,
    oldestDue: async () => null,
    instance: async () => structuredClone(instance),
    purgeItem: async (item) => purgeItems.get(item.kind) ?? null,
    record: async () => !options.refuseRecords,
    finish: async (item) => {
      purgeItems.delete(item.kind);
    },
    discard: async (item) => {
      purgeItems.delete(item.kind);
    },
  };
  return { store, purgeItems };
}

const unsubscribed = (): InstanceRecord => ({
  accountId: 'acct-1',
  instanceId: 'i-1',
  product: 'waf',
  edition: 'Pro',
  billingMethod: 'SUBSCRIPTION',
  currency: 'USD',
  status: 'UNSUBSCRIBED',
  flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
  orders: [],
  version: 1,
  unsubscribedAt: 0,
  retention: {
    configData: { status: 'RETAINED', purgeAt: 10, purgedAt: null },
    logData: { status: 'RETAINED', purgeAt: 10, purgedAt: null },
  },
  createdAt: 0,
});

describe('purgeRetention edges', () => {
  const noData = { delete: async () => {} };

  it('never purges an item whose deadline is after now, even if the index offered it', async () => {
    const { store } = memoryPurges(unsubscribed(), [
      { accountId: 'acct-1', instanceId: 'i-1', kind: 'LOG', purgeAt: 11 },
    ]);

    expect(await purgeRetention({ purges: store, data: noData }, { now: 10 })).toMatchObject({
      purged: 0,
      skipped: 1,
    });
  });

  it('leaves an instance that keeps changing for the next run (CONTENDED)', async () => {
    const { store } = memoryPurges(
      unsubscribed(),
      [{ accountId: 'acct-1', instanceId: 'i-1', kind: 'LOG', purgeAt: 10 }],
      {
        refuseRecords: true,
      },
    );

    expect(await purgeRetention({ purges: store, data: noData }, { now: 10 })).toMatchObject({
      contended: 1,
      remaining: true,
    });
  });

  it('skips a purge rescheduled to a later deadline since the index was read', async () => {
    const item: DuePurge = { accountId: 'acct-1', instanceId: 'i-1', kind: 'LOG', purgeAt: 10 };
    const { store, purgeItems } = memoryPurges({ ...unsubscribed(), status: 'ACTIVE' }, [item]);
    purgeItems.set('LOG', { purgeAt: 99, purgedAt: null });

    expect(await purgeRetention({ purges: store, data: noData }, { now: 10 })).toMatchObject({ skipped: 1 });
    expect(purgeItems.has('LOG')).toBe(true);
  });

  it('reports a failing data store and keeps going with the next items', async () => {
    const events: unknown[] = [];
    const { store } = memoryPurges(unsubscribed(), [
      { accountId: 'acct-1', instanceId: 'i-1', kind: 'LOG', purgeAt: 10 },
      { accountId: 'acct-1', instanceId: 'i-1', kind: 'CONFIG', purgeAt: 10 },
    ]);
    let calls = 0;
    const data = {
      delete: async () => {
        calls += 1;
        if (calls === 1) throw new Error('store down');
      },
    };

    const summary = await purgeRetention(
      { purges: store, data, observe: (e) => events.push(e.type) },
      { now: 10, concurrency: 1 },
    );

    expect(summary).toMatchObject({ failed: 1, purged: 1, remaining: true });
    expect(events).toEqual(['PURGE_FAILED', 'PURGE']);
  });
});
