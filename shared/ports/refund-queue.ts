import type { RefundMessage } from '#shared/model.ts';

/** Hands an accepted refund to settlement. At-least-once: the processor is idempotent. */
export interface RefundQueue {
  enqueue(message: RefundMessage): Promise<void>;
}
