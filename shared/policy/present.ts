/**
 * The wire form of a quote (SPEC 4.2 "Quote"), shared by the CLI and the HTTP API: instants
 * become ISO-8601 UTC strings with milliseconds; policy-internal fields (`quotaYear`,
 * `usesQuota`, `cancelledOrderIds`) stay inside.
 */
import type { Destination, Millis, MinorUnits, QuoteKind, RefundLine } from '#shared/domain.ts';
import type { Quote } from './quote.ts';
import { toIso } from './time.ts';

export interface RefundLineWire {
  orderId: string;
  cashPaid: MinorUnits;
  voucherPaid: MinorUnits;
  usedDays: number;
  termDays: number;
  refundAmount: MinorUnits;
  destination: Destination;
}

interface QuoteWireBase {
  currency: string;
  refundAmount: MinorUnits;
  nonRefundableVoucherAmount: MinorUnits;
  lines: RefundLineWire[];
}

export interface UnsubscribeQuoteWire extends QuoteWireBase {
  refundType: 'FULL_REFUND' | 'PARTIAL_REFUND';
  retention: { configDataPurgeAt: string; logDataPurgeAt: string };
}

export interface RenewalCancellationQuoteWire extends QuoteWireBase {
  refundType: 'RENEWAL_CANCELLATION';
  updatedExpirationTime: string;
  allowedExpirationTimes: string[];
}

export type QuoteWire = UnsubscribeQuoteWire | RenewalCancellationQuoteWire;

/** What a stored quote adds around the policy's answer (SPEC 3.1). */
export interface QuoteEnvelope {
  quoteId: string;
  instanceId: string;
  asOf: Millis;
  expiresAt: Millis;
}

export type StoredQuoteWire = {
  quoteId: string;
  instanceId: string;
  kind: QuoteKind;
  asOf: string;
  expiresAt: string;
} & QuoteWire;

export function presentLine(line: RefundLine): RefundLineWire {
  return {
    orderId: line.orderId,
    cashPaid: line.cashPaid,
    voucherPaid: line.voucherPaid,
    usedDays: line.usedDays,
    termDays: line.termDays,
    refundAmount: line.refundAmount,
    destination: line.destination,
  };
}

/**
 * A quote as JSON. Without an envelope: the policy's answer (what `npm run policy -- quote`
 * prints). With one: the full stored Quote of the HTTP API, `quoteId, instanceId, kind` first
 * and `asOf, expiresAt` last.
 */
export function presentQuote(quote: Quote): QuoteWire;
export function presentQuote(quote: Quote, envelope: QuoteEnvelope): StoredQuoteWire;
export function presentQuote(quote: Quote, envelope?: QuoteEnvelope): QuoteWire | StoredQuoteWire {
  const base = {
    currency: quote.currency,
    refundAmount: quote.refundAmount,
    nonRefundableVoucherAmount: quote.nonRefundableVoucherAmount,
    lines: quote.lines.map(presentLine),
  };
  const body: QuoteWire =
    quote.kind === 'UNSUBSCRIBE'
      ? {
          refundType: quote.refundType,
          ...base,
          retention: {
            configDataPurgeAt: toIso(quote.retention.configDataPurgeAt),
            logDataPurgeAt: toIso(quote.retention.logDataPurgeAt),
          },
        }
      : {
          refundType: quote.refundType,
          ...base,
          updatedExpirationTime: toIso(quote.updatedExpirationTime),
          allowedExpirationTimes: quote.allowedExpirationTimes.map(toIso),
        };
  if (envelope === undefined) return body;
  return {
    quoteId: envelope.quoteId,
    instanceId: envelope.instanceId,
    kind: quote.kind,
    ...body,
    asOf: toIso(envelope.asOf),
    expiresAt: toIso(envelope.expiresAt),
  };
}
