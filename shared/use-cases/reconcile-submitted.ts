/**
 * No refund is stranded by a lost webhook. Every provider refund is watched through its lookup
 * item on the index; the reconciler retrieves the ones that are due from the provider and
 * applies the answer through `applyRefundUpdate`, exactly as a webhook would:
 *
 * - still pending (`SUBMITTED`) → asked again `after` later (config
 *   `STRIPE_SUBMITTED_RECONCILE_AFTER`, default 1 h);
 * - succeeded → settled to the card, and still watched until `watch` after submission (config
 *   `STRIPE_FAILURE_WATCH_DAYS`, default 30: a refund can fail after it succeeded, e.g. a bank
 *   return, and that webhook can be lost too), asked again after an interval that doubles with
 *   the refund's age (1 h, 2 h, 4 h … ≈ 10 calls over 30 days), then no longer watched;
 * - failed → credited (or reversed) to the balance, and off the index.
 */
import { toIso } from '#policy/index.ts';
import type { SubmittedRefunds } from '#ports/provider-refunds.ts';
import type { RefundStatusSource } from '#ports/refund-status.ts';
import type { Millis } from '#shared/domain.ts';
import { applyRefundUpdate, type RefundUpdateDeps } from './apply-refund-update.ts';

export const DEFAULT_SUBMITTED_RECONCILE_AFTER_MS = 60 * 60_000;
export const DEFAULT_FAILURE_WATCH_MS = 30 * 86_400_000;
export const DEFAULT_MAX_REFUNDS_PER_RUN = 200;

export interface ReconcileSubmittedDeps extends RefundUpdateDeps {
  submitted: SubmittedRefunds;
  source: RefundStatusSource;
}

export interface ReconcileSubmittedSummary {
  now: string;
  dueBefore: string;
  checked: number;
  /** Lines that got their final answer in this run (settled to the card, credited or reversed). */
  finished: number;
  stillPending: number;
  failed: number;
  remaining: boolean;
}

export async function reconcileSubmitted(
  deps: ReconcileSubmittedDeps,
  options: { now: Millis; afterMs?: number; watchMs?: number; maxRefunds?: number },
): Promise<ReconcileSubmittedSummary> {
  const afterMs = options.afterMs ?? DEFAULT_SUBMITTED_RECONCILE_AFTER_MS;
  const watchMs = options.watchMs ?? DEFAULT_FAILURE_WATCH_MS;
  const { now } = options;
  const before = now - afterMs;
  const { refunds, more } = await deps.submitted.dueBefore(
    before,
    options.maxRefunds ?? DEFAULT_MAX_REFUNDS_PER_RUN,
  );
  let finished = 0;
  let stillPending = 0;
  let failed = 0;
  // One at a time: the provider rate-limits, and a run is small.
  for (const { providerRefundId, submittedAt } of refunds) {
    try {
      const update = await deps.source.retrieve(providerRefundId);
      const result = await applyRefundUpdate(deps, update);
      if (result.outcome === 'SETTLED' || result.outcome === 'CREDITED' || result.outcome === 'REVERSED') {
        if (result.applied) finished += 1;
      }
      if (update.state === 'PENDING') {
        stillPending += 1;
        await deps.submitted.postpone(providerRefundId, now);
      } else if (update.state === 'SUCCEEDED' && now - submittedAt < watchMs) {
        // Next check after the refund's age again (at least `after`): the interval doubles.
        await deps.submitted.postpone(providerRefundId, now + Math.max(0, now - submittedAt - afterMs));
      } else if (update.state === 'SUCCEEDED' || result.outcome !== 'UNKNOWN_REFUND') {
        await deps.submitted.unwatch(providerRefundId);
      } else {
        await deps.submitted.postpone(providerRefundId, now);
      }
    } catch {
      // Left on the index as it is: the next run asks again.
      failed += 1;
    }
  }
  return {
    now: toIso(now),
    dueBefore: toIso(before),
    checked: refunds.length,
    finished,
    stillPending,
    failed,
    remaining: more || failed > 0,
  };
}
