/**
 * The refund policy (SPEC 2): pure functions of an instance, its orders, `now` and the policy
 * document that applies (`policies/`, checked by `document.ts`, listed by `registry.ts`).
 * Nothing here reads the clock, the environment or the network. Instants are epoch
 * milliseconds, money integer minor units.
 */
export type {
  DueByDerivation,
  OrderDerivation,
  QuotaUse,
  QuoteDerivation,
} from './derivation.ts';
export { CARD_REFUND_WINDOW_MS, destinationFor, PAYPAL_REFUND_WINDOW_MS } from './destination.ts';
export { type Policy, PolicyError, type PolicyRef, parsePolicy } from './document.ts';
export { dueBy, explainDueBy, isSettledLate, SETTLEMENT_BUSINESS_DAYS } from './due-by.ts';
export {
  type AbnormalReason,
  abnormalReasons,
  checkEligibility,
  RESOURCE_INFO_UNAVAILABLE_MESSAGE,
} from './eligibility.ts';
export { addMoney, MoneyOverflowError, sumMoney } from './money.ts';
export { expiresAt, newOrderOf } from './orders.ts';
export { QUOTE_TTL_MS, type Quote } from './quote.ts';
export { DEFAULT_POLICY, POLICIES, PolicyRegistry } from './registry.ts';
export {
  pendingRenewals,
  quoteRenewalCancellation,
  type RenewalCancellationQuote,
  renewalsNoLongerPending,
} from './renewal.ts';
export {
  CONFIG_RETENTION_MS,
  explainRetention,
  type RetentionDeadlines,
  retentionDeadlines,
} from './retention.ts';
export {
  BILLING_OFFSET_MS,
  billingDay,
  ceilDays,
  DAY_MS,
  nextBillingMidnight,
  quotaYear,
  startOfBillingDay,
  toIso,
} from './time.ts';
export {
  FULL_REFUND_WINDOW_MS,
  fullRefundUntil,
  inFullRefundWindow,
  prorate,
  quoteUnsubscribe,
  type UnsubscribeQuote,
} from './unsubscribe.ts';
