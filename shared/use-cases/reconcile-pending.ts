/**
 * The reconciler (SPEC 3.3): no unsubscribe order is ever stranded. An order is enqueued after
 * its transaction commits; if that enqueue failed, the order stays `PENDING`. Every run:
 *
 * 1. find orders still `PENDING` created more than 5 minutes before `now` (a key range on the
 *    sparse, sharded `pending` index — never a scan), at most `maxOrders` per run;
 * 2. enqueue each again (the processor is idempotent, so a duplicate costs nothing);
 * 3. report how many were enqueued, how many enqueues failed and whether more are waiting.
 */

import { toIso } from '#policy/index.ts';
import type { PendingOrders } from '#ports/pending-orders.ts';
import type { RefundQueue } from '#ports/refund-queue.ts';
import type { Millis } from '#shared/domain.ts';

/** An order is stranded when it is still PENDING this long after its creation. */
export const STRANDED_AFTER_MS = 5 * 60_000;
export const DEFAULT_MAX_ORDERS_PER_RUN = 1_000;

export interface ReconcileDeps {
  pending: PendingOrders;
  queue: RefundQueue;
}

export interface ReconcileSummary {
  now: string;
  createdBefore: string;
  enqueued: number;
  failed: number;
  remaining: boolean;
}

export async function reconcilePending(
  deps: ReconcileDeps,
  options: { now: Millis; maxOrders?: number; concurrency?: number },
): Promise<ReconcileSummary> {
  const createdBefore = options.now - STRANDED_AFTER_MS;
  const { orders, more } = await deps.pending.createdBefore(
    createdBefore,
    options.maxOrders ?? DEFAULT_MAX_ORDERS_PER_RUN,
  );
  let enqueued = 0;
  let failed = 0;
  const concurrency = options.concurrency ?? 10;
  for (let start = 0; start < orders.length; start += concurrency) {
    const results = await Promise.allSettled(
      orders.slice(start, start + concurrency).map((order) => deps.queue.enqueue(order)),
    );
    for (const result of results) {
      if (result.status === 'fulfilled') enqueued += 1;
      else failed += 1;
    }
  }
  return {
    now: toIso(options.now),
    createdBefore: toIso(createdBefore),
    enqueued,
    failed,
    remaining: more || failed > 0,
  };
}
