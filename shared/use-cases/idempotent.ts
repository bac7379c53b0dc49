import type { IdempotencyCompletion, IdempotencyStore, StoredResponse } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';

export interface IdempotentRequest {
  accountId: string;
  key: string;
  /** Digest of what the request asks (route, path parameters, body). */
  fingerprint: string;
  now: Millis;
}

/**
 * Runs `execute` at most once per Idempotency-Key (SPEC 3.3):
 * 1. claim the key — a completed key with the same request replays its stored response, with
 *    another request answers IDEMPOTENCY_KEY_REUSED, a running one IDEMPOTENCY_IN_PROGRESS;
 * 2. run; `execute` stores its response through the completion it is given, inside its own
 *    transaction, so a response is kept if and only if its effects committed;
 * 3. on any error release the key, so a retry with the same key and body runs again.
 */
export async function runIdempotent(
  store: IdempotencyStore,
  request: IdempotentRequest,
  execute: (completion: (response: StoredResponse) => IdempotencyCompletion) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const begun = await store.begin(request.accountId, request.key, request.fingerprint, request.now);
  switch (begun.state) {
    case 'REPLAY':
      return begun.response;
    case 'MISMATCH':
      throw new RefundError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request; use a new key',
      );
    case 'IN_PROGRESS':
      throw new RefundError(
        'IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still running; retry later',
      );
    case 'STARTED':
      break;
  }
  try {
    return await execute((response) => ({ key: request.key, response }));
  } catch (error) {
    await store.release(request.accountId, request.key, request.fingerprint);
    throw error;
  }
}
