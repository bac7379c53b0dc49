import type { RenewalCancellationQuote } from './renewal.ts';
import type { UnsubscribeQuote } from './unsubscribe.ts';

/** A stored quote binds its amounts for 15 minutes after its `asOf` (SPEC 3.1; the default policy's `quoteValidityMinutes`). */
export const QUOTE_TTL_MS = 15 * 60_000;

export type Quote = UnsubscribeQuote | RenewalCancellationQuote;
