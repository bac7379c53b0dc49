/**
 * What the use cases need from storage. The DynamoDB adapters in `#adapters/dynamo/`
 * implement these; use cases receive them as arguments and never see AWS.
 */
import type { QuotaUse } from '#policy/derivation.ts';
import type { InstanceStatus, Millis } from '#shared/domain.ts';
import type { DataKind, InstanceRecord, QuoteRecord, UnsubscribeOrder } from '#shared/model.ts';

export interface Page<T> {
  items: T[];
  /** Opaque position to continue from, or null at the end. */
  cursor: string | null;
}

export interface InstanceQuery {
  instanceId?: string;
  status?: InstanceStatus;
  /** An instance matches when any of its orders has paidAt in [orderTimeFrom, orderTimeTo). */
  orderTimeFrom?: Millis;
  orderTimeTo?: Millis;
  /**
   * `present: true`: only ACTIVE instances with a pending renewal at `now` (a PAID RENEW order
   * not started, SPEC 2.3) — those whose renewal can be cancelled; `false`: only the others.
   */
  pendingRenewal?: { present: boolean; now: Millis };
  limit: number;
  cursor?: string;
}

export interface OrderClaim {
  instanceId: string;
  fingerprint: string;
}

export interface InstanceStore {
  get(accountId: string, instanceId: string): Promise<InstanceRecord | null>;
  list(accountId: string, query: InstanceQuery): Promise<Page<InstanceRecord>>;
  getOrderClaim(accountId: string, orderId: string): Promise<OrderClaim | null>;
  /**
   * Creates the instance with its NEW order, the order claim and its retained data, atomically.
   * Returns false when it could not because either exists by now (a concurrent ingestion): the caller re-reads.
   */
  create(instance: InstanceRecord, claim: OrderClaim): Promise<boolean>;
  /**
   * Replaces the instance if it is still at `expectedVersion` (it is written with
   * `expectedVersion + 1`), together with the order claim when one is given.
   * `cancelPurges` deletes the scheduled purges of those kinds (a restore).
   * Returns false when the version moved on (a concurrent change): the caller re-reads.
   */
  replace(
    instance: InstanceRecord,
    expectedVersion: number,
    extra?: { claim?: { orderId: string } & OrderClaim; cancelPurges?: readonly DataKind[] },
  ): Promise<boolean>;
}

export interface QuoteStore {
  save(quote: QuoteRecord): Promise<void>;
  get(accountId: string, quoteId: string): Promise<QuoteRecord | null>;
}

export interface QuotaStore {
  /** Who used the account's full refund for `product` in `year`, or null while it is free. */
  usage(accountId: string, product: string, year: number): Promise<QuotaUse | null>;
}

/**
 * Whether the half-open range [from, to) can hold nothing (from at or after to). Both lists
 * answer such a range with an empty page (200), as for any range nothing falls in, without
 * reading the store (a key range whose low end is above its high end is refused by DynamoDB).
 */
export const isEmptyRange = (from: Millis | undefined, to: Millis | undefined): boolean =>
  from !== undefined && to !== undefined && from >= to;

export interface UnsubscribeOrderQuery {
  instanceId?: string;
  /** Only orders in this status (the back office's filter; customers' lists have none). */
  status?: UnsubscribeOrder['status'];
  createdFrom?: Millis;
  createdTo?: Millis;
  limit: number;
  cursor?: string;
}

export interface UnsubscribeOrderStore {
  get(accountId: string, unsubscribeOrderId: string): Promise<UnsubscribeOrder | null>;
  list(accountId: string, query: UnsubscribeOrderQuery): Promise<Page<UnsubscribeOrder>>;
}

/** Every account's unsubscribe orders created in [createdFrom, createdTo). */
export interface OrderExportQuery {
  createdFrom: Millis;
  createdTo: Millis;
  limit: number;
  cursor?: string;
}

/**
 * The export of past unsubscribe orders for the policy backtest (internal: all accounts).
 * Oldest first; a page may hold fewer than `limit` orders (even none) with a cursor to go on,
 * when the range is long: the reading of a page is bounded, whatever the range.
 */
export interface OrderExport {
  created(query: OrderExportQuery): Promise<Page<UnsubscribeOrder>>;
  /** The cursor that goes on right after `order` (a caller that hands out only part of a page). */
  cursorAfter(order: UnsubscribeOrder): string;
  /** Whether a cursor is one this export hands out. */
  isCursor(cursor: string): boolean;
}

/**
 * The answer stored for an Idempotency-Key, replayed byte for byte on a retry with the same
 * request: the serialized result (the HTTP layer decides its status).
 */
export interface StoredResponse {
  body: string;
}

export interface IdempotencyCompletion {
  key: string;
  response: StoredResponse;
}

/** Everything one unsubscription writes, in one transaction (SPEC 3.3). */
export interface UnsubscriptionPlan {
  instance: InstanceRecord;
  expectedVersion: number;
  order: UnsubscribeOrder;
  quote: QuoteRecord;
  /** Set for FULL_REFUND: the quota year to mark used. */
  quotaYear: number | null;
  idempotency: IdempotencyCompletion;
}

/** Everything one renewal cancellation writes, in one transaction. */
export interface RenewalCancellationPlan {
  instance: InstanceRecord;
  expectedVersion: number;
  order: UnsubscribeOrder;
  quote: QuoteRecord;
  idempotency: IdempotencyCompletion;
}

/** Which condition of a refused commit failed, so the use case can answer precisely. */
export type CommitConflict = 'INSTANCE_CHANGED' | 'QUOTE_USED' | 'QUOTA_USED' | 'IDEMPOTENCY_LOST';

export interface ExecutionStore {
  commitUnsubscription(plan: UnsubscriptionPlan): Promise<CommitConflict | null>;
  commitRenewalCancellation(plan: RenewalCancellationPlan): Promise<CommitConflict | null>;
}

export type IdempotencyBegin =
  | { state: 'STARTED' }
  | { state: 'REPLAY'; response: StoredResponse }
  | { state: 'IN_PROGRESS' }
  | { state: 'MISMATCH' };

export interface IdempotencyStore {
  /** Claims `key` for this request (identified by `fingerprint`) or says why not. */
  begin(accountId: string, key: string, fingerprint: string, now: Millis): Promise<IdempotencyBegin>;
  /** Releases a claim whose request ended without a stored response (an error), so the key can be retried. */
  release(accountId: string, key: string, fingerprint: string): Promise<void>;
}
