import { cancellationReasons } from './client.ts';

const ATTEMPTS = 6;

/**
 * Retries a transaction that DynamoDB cancelled only because another transaction touched
 * the same items at the same moment (`TransactionConflict`), with jittered backoff.
 * A failed condition is an answer, not a conflict, and is rethrown at once.
 */
export async function withConflictRetry<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const reasons = cancellationReasons(error);
      const conflictOnly =
        reasons?.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
      if (!conflictOnly || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    }
  }
}
