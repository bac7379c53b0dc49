import { expiresAt, MoneyOverflowError, newOrderOf, sumMoney } from '#policy/index.ts';
import type { InstanceStore } from '#ports/stores.ts';
import type { BillingMethod, Millis, Order } from '#shared/domain.ts';
import { notFound, RefundError, validationFailed } from '#shared/errors.ts';
import type { DataKind, InstanceRecord, RetainedData } from '#shared/model.ts';
import { fingerprint } from './fingerprint.ts';

export interface IngestOrderInput {
  accountId: string;
  instanceId: string;
  product: string;
  edition: string;
  billingMethod: BillingMethod;
  currency: string;
  order: Omit<Order, 'status'>;
  now: Millis;
}

export interface IngestResult {
  /** `RECORDED` when the order was recorded now, `REPLAYED` when it was an identical replay. */
  outcome: 'RECORDED' | 'REPLAYED';
  instance: InstanceRecord;
}

const ATTEMPTS = 5;

/**
 * Records a paid order from billing, idempotently by `orderId`:
 * 1. an order id seen before answers with the instance (same content) or ORDER_CONFLICT;
 * 2. NEW creates the instance (with its retained data);
 * 3. RENEW extends an ACTIVE instance if contiguous (else ORDER_NOT_CONTIGUOUS), restores an
 *    UNSUBSCRIBED one (pending purges cancelled, SPEC 3.5), and is refused for a RELEASED one;
 *    an order that would make the total cashPaid or voucherPaid of the instance's orders an
 *    unsafe integer is refused (VALIDATION_FAILED naming `order.cashPaid`/`order.voucherPaid`);
 * 4. every write is conditional on what was read; a concurrent change re-runs the steps, and a
 *    refusal is given only after checking that a concurrent identical request did not record
 *    the order meanwhile (then it is a replay: identical requests at once answer one 201 and
 *    the rest 200).
 */
export async function ingestOrder(
  deps: { instances: InstanceStore },
  input: IngestOrderInput,
): Promise<IngestResult> {
  const { now, ...content } = input;
  const digest = fingerprint(content);
  const order: Order = { ...input.order, status: 'PAID' };
  for (let attempt = 1; ; attempt++) {
    const replay = await replayOf(deps, input, digest);
    if (replay) return replay;
    const current = await deps.instances.get(input.accountId, input.instanceId);
    let written: InstanceRecord | null;
    try {
      written =
        order.type === 'NEW'
          ? await createInstance(deps, input, order, current, digest)
          : await renew(deps, input, order, current, digest);
    } catch (refusal) {
      // The instance read may already hold this very order, recorded by a concurrent identical
      // request after the claim was read (a NEW order then finds its instance existing, a renewal
      // finds its own period as the current one): the claim, written in the same transaction,
      // decides between a replay and a conflict. Only when there is none is the refusal true.
      if (!(refusal instanceof RefundError)) throw refusal;
      const late = await replayOf(deps, input, digest);
      if (late) return late;
      throw refusal;
    }
    if (written) return { outcome: 'RECORDED', instance: written };
    if (attempt >= ATTEMPTS) throw new Error('order ingestion kept racing with concurrent changes');
  }
}

/**
 * The answer when `input.order.orderId` is already claimed: a replay (the same content for the
 * same instance) or ORDER_CONFLICT; null when it is not claimed (yet).
 */
async function replayOf(
  deps: { instances: InstanceStore },
  input: IngestOrderInput,
  digest: string,
): Promise<IngestResult | null> {
  const { orderId } = input.order;
  const claim = await deps.instances.getOrderClaim(input.accountId, orderId);
  if (!claim) return null;
  if (claim.fingerprint !== digest || claim.instanceId !== input.instanceId) throw orderConflict(orderId);
  const instance = await deps.instances.get(input.accountId, input.instanceId);
  if (!instance) throw orderConflict(orderId);
  return { outcome: 'REPLAYED', instance };
}

async function createInstance(
  deps: { instances: InstanceStore },
  input: IngestOrderInput,
  order: Order,
  current: InstanceRecord | null,
  digest: string,
): Promise<InstanceRecord | null> {
  if (current) {
    throw new RefundError('ORDER_CONFLICT', 'The instance already exists with another NEW order', {
      orderId: order.orderId,
    });
  }
  checkTotals([order]);
  const instance: InstanceRecord = {
    accountId: input.accountId,
    instanceId: input.instanceId,
    product: input.product,
    edition: input.edition,
    billingMethod: input.billingMethod,
    currency: input.currency,
    status: 'ACTIVE',
    flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
    orders: [order],
    version: 1,
    unsubscribedAt: null,
    retention: null,
    createdAt: input.now,
  };
  // false: someone created it or claimed the order meanwhile: re-read.
  const created = await deps.instances.create(instance, {
    instanceId: input.instanceId,
    fingerprint: digest,
  });
  return created ? instance : null;
}

async function renew(
  deps: { instances: InstanceStore },
  input: IngestOrderInput,
  order: Order,
  current: InstanceRecord | null,
  digest: string,
): Promise<InstanceRecord | null> {
  if (!current) throw notFound('Instance');
  for (const field of ['product', 'billingMethod', 'currency'] as const) {
    if (current[field] !== input[field]) {
      throw validationFailed([{ field, message: `must match the instance (${current[field]})` }]);
    }
  }
  if (order.paidAt < newOrderOf(current.orders).paidAt) {
    throw validationFailed([
      { field: 'order.paidAt', message: 'a renewal cannot be paid before the purchase' },
    ]);
  }
  let next: InstanceRecord;
  if (current.status === 'RELEASED') {
    throw new RefundError(
      'INSTANCE_RELEASED',
      'The instance was released after its data was purged; it cannot be renewed',
    );
  } else if (current.status === 'ACTIVE') {
    const expected = expiresAt(current.orders);
    if (order.periodStart !== expected) {
      throw new RefundError('ORDER_NOT_CONTIGUOUS', 'A renewal must start when the current period ends', {
        expectedPeriodStart: new Date(expected).toISOString(),
      });
    }
    next = { ...current, orders: [...current.orders, order] };
  } else {
    // Restore by renewal (SPEC 3.5): what was not purged yet comes back.
    if (order.periodStart < order.paidAt) {
      throw validationFailed([
        { field: 'order.periodStart', message: 'a restoring renewal starts at or after its paidAt' },
      ]);
    }
    const restore = (data: RetainedData): RetainedData =>
      data.status === 'PURGED' ? data : { ...data, status: 'RESTORED' };
    next = {
      ...current,
      status: 'ACTIVE',
      restoredAt: input.now,
      orders: [...current.orders, order],
      retention: current.retention
        ? { configData: restore(current.retention.configData), logData: restore(current.retention.logData) }
        : null,
    };
  }
  checkTotals(next.orders);
  const replaced = await deps.instances.replace(next, current.version, {
    claim: { orderId: order.orderId, instanceId: input.instanceId, fingerprint: digest },
    // Only the kinds that come back: a purge already recorded must still finish deleting its data.
    cancelPurges: restoredKinds(current),
  });
  return replaced ? { ...next, version: current.version + 1 } : null;
}

/**
 * Refuses (400 naming the field) the order that would make a total of the instance's orders
 * unsafe: every quote sums them (`cashPaid` into refunds, `voucherPaid` into the
 * non-refundable voucher amount), and a total past 2^53 − 1 could never be quoted or stored.
 */
function checkTotals(orders: readonly Order[]): void {
  for (const field of ['cashPaid', 'voucherPaid'] as const) {
    try {
      sumMoney(
        orders.map((o) => o[field]),
        field,
      );
    } catch (error) {
      if (!(error instanceof MoneyOverflowError)) throw error;
      throw validationFailed([
        {
          field: `order.${field}`,
          message: `would make the instance's total ${field} exceed ${Number.MAX_SAFE_INTEGER} minor units (the largest safe integer)`,
        },
      ]);
    }
  }
}

const orderConflict = (orderId: string) =>
  new RefundError('ORDER_CONFLICT', 'This orderId was already recorded with different content', { orderId });

/** The data kinds a restore of `instance` brings back: those still RETAINED (not yet purged). */
function restoredKinds(instance: InstanceRecord): DataKind[] {
  if (instance.status !== 'UNSUBSCRIBED' || !instance.retention) return [];
  const kinds: DataKind[] = [];
  if (instance.retention.configData.status === 'RETAINED') kinds.push('CONFIG');
  if (instance.retention.logData.status === 'RETAINED') kinds.push('LOG');
  return kinds;
}
