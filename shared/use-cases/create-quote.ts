import {
  inFullRefundWindow,
  POLICIES,
  type PolicyRegistry,
  type Quote,
  quotaYear,
  quoteRenewalCancellation,
  quoteUnsubscribe,
} from '#policy/index.ts';
import type { InstanceStore, QuotaStore, QuoteStore } from '#ports/stores.ts';
import type { Millis, QuoteKind } from '#shared/domain.ts';
import { notFound } from '#shared/errors.ts';
import { newQuoteId } from '#shared/ids.ts';
import type { QuoteRecord } from '#shared/model.ts';

export interface CreateQuoteDeps {
  instances: InstanceStore;
  quota: QuotaStore;
  quotes: QuoteStore;
  /** The released policies (the repository's unless a test brings its own). */
  policies?: PolicyRegistry;
}

export interface CreateQuoteInput {
  accountId: string;
  instanceId: string;
  kind: QuoteKind;
  updatedExpirationTime?: Millis;
  now: Millis;
}

/**
 * Quotes a refund and stores the quote for 15 minutes:
 * 1. load the caller's instance (another account's is NOT_FOUND) and the policy that
 *    applies to its product now;
 * 2. for an unsubscription within the 5-day window, look up whether this UTC+8 year's
 *    unconditional refund is used (outside the window it cannot matter: no read);
 * 3. ask the policy, which checks eligibility and computes every line;
 * 4. store the quote bound to the instance version it saw.
 */
export async function createQuote(deps: CreateQuoteDeps, input: CreateQuoteInput): Promise<QuoteRecord> {
  const { accountId, instanceId, kind, now } = input;
  const instance = await deps.instances.get(accountId, instanceId);
  if (!instance) throw notFound('Instance');

  const policy = (deps.policies ?? POLICIES).forProduct(instance.product, now);
  let quote: Quote;
  if (kind === 'UNSUBSCRIBE') {
    const quotaUsedBy =
      inFullRefundWindow(instance, now, policy) && policy.fullRefund.perAccountProductYear > 0
        ? await deps.quota.usage(accountId, instance.product, quotaYear(now, policy.billingOffsetMs))
        : null;
    quote = quoteUnsubscribe(instance, { now, quotaUsed: quotaUsedBy !== null, quotaUsedBy, policy });
  } else {
    quote = quoteRenewalCancellation(instance, {
      now,
      updatedExpirationTime: input.updatedExpirationTime,
      policy,
    });
  }

  const record: QuoteRecord = {
    quoteId: newQuoteId(),
    accountId,
    instanceId,
    kind,
    quote,
    asOf: now,
    expiresAt: now + policy.quoteTtlMs,
    instanceVersion: instance.version,
    usedAt: null,
  };
  await deps.quotes.save(record);
  return record;
}
