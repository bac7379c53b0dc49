/** What the reconciler (`#use-cases/reconcile-pending.ts`) needs: stranded orders from the sparse `pending` index. */
import type { Millis } from '#shared/domain.ts';
import type { RefundMessage } from '#shared/model.ts';

export interface PendingOrders {
  /** PENDING orders created strictly before `createdBefore`, oldest first per shard, at most `limit`. */
  createdBefore(createdBefore: Millis, limit: number): Promise<{ orders: RefundMessage[]; more: boolean }>;
}
