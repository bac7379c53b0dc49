import type { RefundMessage } from '#shared/model.ts';

/** Hands an accepted refund to settlement. At-least-once: the processor is idempotent. */
export interface RefundQueue {
  enqueue(message: RefundMessage): Promise<void>;
}

/**
 * Spaces out the retries of a refund message that failed transiently: the message stays
 * invisible longer after each failed receive (exponential backoff on the visibility timeout).
 */
export interface RetryBackoff {
  postpone(receiptHandle: string, receiveCount: number): Promise<void>;
}
