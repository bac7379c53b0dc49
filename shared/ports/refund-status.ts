/**
 * Asynchronous refund outcomes: a provider that accepts a refund as pending (`SUBMITTED`) tells
 * the final answer later, by webhook or when asked. Both paths produce a `ProviderRefundUpdate`
 * and go through the same use case (`#use-cases/apply-refund-update.ts`).
 *
 * - `SUCCEEDED`: the money reached the original method.
 * - `FAILED`: the refund failed or was canceled (also after it had succeeded, e.g. a bank
 *   return): the line's amount is credited to the account balance, exactly once.
 * - `PENDING`: nothing final yet.
 */

export type RefundState = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface ProviderRefundUpdate {
  providerRefundId: string;
  state: RefundState;
  /** A short machine code from the provider (Stripe's `failure_reason`), only for `FAILED`. */
  failureReason?: string;
}

/** Asks the provider for a refund's current state (the reconciler's path when a webhook was lost). */
export interface RefundStatusSource {
  /** Throws (preferably `TransientProviderError`) when the provider cannot answer. */
  retrieve(providerRefundId: string): Promise<ProviderRefundUpdate>;
}

/** Provider failure codes are stored and shown; anything that is not a short code becomes `unknown`. */
export function failureCode(value: unknown): string {
  return typeof value === 'string' && /^[a-z0-9_]{1,64}$/.test(value) ? value : 'unknown';
}
