/**
 * No refund is stranded by a lost webhook: refunds still `SUBMITTED` longer than `after`
 * (config `STRIPE_SUBMITTED_RECONCILE_AFTER`, default 1 h) are retrieved from the provider
 * and the answer goes through `applyRefundUpdate`, exactly as a webhook would. A refund that is
 * still pending is asked again one `after` later (its place on the index moves), so a slow
 * bank refund does not cost a provider call every run.
 */
import { toIso } from '#policy/index.ts';
import type { RefundStatusSource } from '#ports/refund-status.ts';
import type { Millis } from '#shared/domain.ts';
import { applyRefundUpdate, type RefundUpdateDeps } from './apply-refund-update.ts';

export const DEFAULT_SUBMITTED_RECONCILE_AFTER_MS = 60 * 60_000;
export const DEFAULT_MAX_REFUNDS_PER_RUN = 200;

export interface SubmittedRefunds {
  /** Provider refund ids awaiting an answer, submitted (or last asked) strictly before `before`. */
  submittedBefore(before: Millis, limit: number): Promise<{ refundIds: string[]; more: boolean }>;
  /** Asks again no earlier than `until`. */
  postpone(providerRefundId: string, until: Millis): Promise<void>;
}

export interface ReconcileSubmittedDeps extends RefundUpdateDeps {
  submitted: SubmittedRefunds;
  source: RefundStatusSource;
}

export interface ReconcileSubmittedSummary {
  now: string;
  submittedBefore: string;
  checked: number;
  finished: number;
  stillPending: number;
  failed: number;
  remaining: boolean;
}

export async function reconcileSubmitted(
  deps: ReconcileSubmittedDeps,
  options: { now: Millis; afterMs?: number; maxRefunds?: number },
): Promise<ReconcileSubmittedSummary> {
  const afterMs = options.afterMs ?? DEFAULT_SUBMITTED_RECONCILE_AFTER_MS;
  const before = options.now - afterMs;
  const { refundIds, more } = await deps.submitted.submittedBefore(
    before,
    options.maxRefunds ?? DEFAULT_MAX_REFUNDS_PER_RUN,
  );
  let finished = 0;
  let stillPending = 0;
  let failed = 0;
  // One at a time: the provider rate-limits, and a run is small.
  for (const refundId of refundIds) {
    try {
      const update = await deps.source.retrieve(refundId);
      const result = await applyRefundUpdate(deps, update);
      if (update.state === 'PENDING' || result.outcome === 'UNKNOWN_REFUND') {
        if (update.state === 'PENDING') stillPending += 1;
        await deps.submitted.postpone(refundId, options.now);
      } else {
        finished += 1;
      }
    } catch {
      // Left on the index: the next run asks again.
      failed += 1;
    }
  }
  return {
    now: toIso(options.now),
    submittedBefore: toIso(before),
    checked: refundIds.length,
    finished,
    stillPending,
    failed,
    remaining: more || failed > 0,
  };
}
