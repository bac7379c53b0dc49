/**
 * What unsubscribing and cancelling renewals share: turning a presented quote into a
 * checked plan, building the unsubscribe order, and explaining a refused commit.
 */
import {
  checkEligibility,
  DEFAULT_POLICY,
  explainDueBy,
  explainRetention,
  POLICIES,
  type Policy,
  type PolicyRegistry,
  renewalsNoLongerPending,
  toIso,
} from '#policy/index.ts';
import type { RefundQueue } from '#ports/refund-queue.ts';
import type {
  CommitConflict,
  ExecutionStore,
  IdempotencyStore,
  InstanceStore,
  QuoteStore,
} from '#ports/stores.ts';
import type { Millis, QuoteKind } from '#shared/domain.ts';
import { notFound, RefundError } from '#shared/errors.ts';
import { newUnsubscribeOrderId } from '#shared/ids.ts';
import type { InstanceRecord, QuoteRecord, Reason, UnsubscribeOrder } from '#shared/model.ts';

/** What unsubscribing and cancelling renewals run on. */
export interface QuotedExecutionDeps {
  instances: InstanceStore;
  quotes: QuoteStore;
  executions: ExecutionStore;
  idempotency: IdempotencyStore;
  queue: RefundQueue;
  /** `YYYY-MM-DD` UTC+8 dates that are not business days, for `dueBy`. */
  holidays: readonly string[];
  /** Told when the enqueue after a commit fails (the reconciler will pick the order up). */
  onEnqueueFailure: (error: unknown) => void;
  /** The released policies (the repository's unless a test brings its own). */
  policies?: PolicyRegistry;
}

/**
 * The policy a quote was computed with: an order settles with its quote's rules, whatever
 * version is current. A quote stored without one predates versioned policies: version 1.
 */
export function policyOfQuote(quote: QuoteRecord, policies: PolicyRegistry = POLICIES): Policy {
  const ref = quote.quote.policy;
  if (!ref) return DEFAULT_POLICY;
  const policy = policies.get(ref);
  if (!policy) throw new Error(`the quote's policy ${ref.id} v${ref.version} is not released here`);
  return policy;
}

export interface QuotedExecutionInput {
  accountId: string;
  instanceId: string;
  quoteId: string;
  now: Millis;
}

/**
 * Loads the quote and the instance and checks, in this order: the quote exists for this
 * instance and kind (else NOT_FOUND), it is unused (QUOTE_ALREADY_USED), unexpired
 * (QUOTE_EXPIRED), the instance is still eligible (the policy's checks, flags re-checked
 * now), nothing changed since the quote, and, for a renewal cancellation, every renewal it
 * cancels is still pending at `now` (both QUOTE_STALE).
 */
export async function loadQuoted(
  deps: { instances: InstanceStore; quotes: QuoteStore },
  kind: QuoteKind,
  input: QuotedExecutionInput,
): Promise<{ quote: QuoteRecord; instance: InstanceRecord }> {
  const [quote, instance] = await Promise.all([
    deps.quotes.get(input.accountId, input.quoteId),
    deps.instances.get(input.accountId, input.instanceId),
  ]);
  if (!instance) throw notFound('Instance');
  if (!quote || quote.instanceId !== input.instanceId || quote.kind !== kind) throw notFound('Quote');
  if (quote.usedAt !== null) throw quoteAlreadyUsed();
  if (input.now >= quote.expiresAt) {
    throw new RefundError('QUOTE_EXPIRED', 'The quote has expired; request a new one', {
      expiresAt: new Date(quote.expiresAt).toISOString(),
    });
  }
  checkEligibility(instance, kind);
  if (instance.version !== quote.instanceVersion) throw quoteStale();
  checkStillPending(quote, instance, input.now);
  return { quote, instance };
}

/**
 * A renewal cancellation executes only while every renewal it cancels has not started
 * (SPEC 2.3), re-checked with the execution's `now`: a quote made before a renewal's
 * `periodStart` and presented at or after it is stale, even inside its 15 minutes.
 */
function checkStillPending(quote: QuoteRecord, instance: InstanceRecord, now: Millis): void {
  if (quote.quote.kind !== 'CANCEL_RENEWAL') return;
  const [started] = renewalsNoLongerPending(instance.orders, quote.quote.cancelledOrderIds, now);
  if (started) {
    throw new RefundError(
      'QUOTE_STALE',
      'The quote is stale (a renewal it cancels has started); request a new one',
      { orderId: started.orderId, periodStart: toIso(started.periodStart) },
    );
  }
}

export const quoteAlreadyUsed = () =>
  new RefundError('QUOTE_ALREADY_USED', 'The quote has already been used');

export const quoteStale = (why = 'the instance changed since the quote') =>
  new RefundError('QUOTE_STALE', `The quote is stale (${why}); request a new one`);

export function newUnsubscribeOrder(
  quote: QuoteRecord,
  instance: InstanceRecord,
  reason: Reason | null,
  now: Millis,
  holidays: readonly string[],
  policy: Policy = policyOfQuote(quote),
): UnsubscribeOrder {
  const due = explainDueBy(now, holidays, policy);
  const payments = new Map(instance.orders.map((order) => [order.orderId, order.paymentMethod]));
  return {
    unsubscribeOrderId: newUnsubscribeOrderId(now),
    accountId: instance.accountId,
    instanceId: instance.instanceId,
    type: quote.kind,
    refundType: quote.quote.refundType,
    quoteId: quote.quoteId,
    status: 'PENDING',
    currency: quote.quote.currency,
    refundAmount: quote.quote.refundAmount,
    lines: quote.quote.lines.map((line) => {
      const paymentMethod = payments.get(line.orderId);
      if (!paymentMethod) throw new Error('a quoted line refers to an order of the instance');
      return { ...line, status: 'PENDING', settledTo: null, settledAt: null, paymentMethod };
    }),
    reason,
    createdAt: now,
    dueBy: due.dueBy,
    settledAt: null,
    slaBreached: false,
    history: [{ status: 'PENDING', at: now }],
    ...(quote.quote.derivation
      ? {
          policy: quote.quote.policy,
          derivation: {
            ...quote.quote.derivation,
            retention: quote.kind === 'UNSUBSCRIBE' ? explainRetention(now, policy) : null,
            dueBy: due,
          },
        }
      : {}),
  };
}

/** Turns a refused commit into the answer the caller should get, re-reading what raced us. */
export async function explainConflict(
  deps: { instances: InstanceStore; quotes: QuoteStore },
  conflict: CommitConflict,
  input: QuotedExecutionInput,
  kind: QuoteKind,
): Promise<RefundError> {
  switch (conflict) {
    case 'QUOTE_USED':
      return quoteAlreadyUsed();
    case 'QUOTA_USED':
      return quoteStale("this year's unconditional full refund was used meanwhile");
    case 'IDEMPOTENCY_LOST':
      return new RefundError(
        'IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still running',
      );
    case 'INSTANCE_CHANGED': {
      const [quote, instance] = await Promise.all([
        deps.quotes.get(input.accountId, input.quoteId),
        deps.instances.get(input.accountId, input.instanceId),
      ]);
      if (quote?.usedAt != null) return quoteAlreadyUsed();
      if (!instance) return notFound('Instance');
      try {
        checkEligibility(instance, kind);
        if (quote) checkStillPending(quote, instance, input.now);
      } catch (error) {
        if (error instanceof RefundError) return error;
        throw error;
      }
      return quoteStale();
    }
  }
}

/**
 * Hands the committed refund to settlement. A failure is not the caller's problem: the order
 * stays PENDING and the reconciler enqueues it again after 5 minutes (SPEC 3.3).
 */
export async function enqueueAfterCommit(
  queue: RefundQueue,
  order: UnsubscribeOrder,
  onFailure: (error: unknown) => void,
): Promise<void> {
  try {
    await queue.enqueue({ accountId: order.accountId, unsubscribeOrderId: order.unsubscribeOrderId });
  } catch (error) {
    onFailure(error);
  }
}
