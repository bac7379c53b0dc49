/** Every SPEC 4.4 refusal as a sentence for the customer, and what the page can offer next. */
import { ApiError, NetworkError } from './api.ts';

const MESSAGES: Record<string, string> = {
  VALIDATION_FAILED: 'Some of the information sent was not valid.',
  UNAUTHORIZED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'You are not allowed to do this.',
  NOT_FOUND: 'This resource was not found in your account.',
  INSTANCE_NOT_ACTIVE: 'This instance is no longer active, so it cannot be unsubscribed.',
  RESOURCE_INFO_UNAVAILABLE: 'Failed to obtain unsubscription resource information.',
  QUOTE_EXPIRED: 'The refund quote has expired. Get a new quote to continue.',
  QUOTE_ALREADY_USED: 'This refund quote has already been used.',
  QUOTE_STALE: 'The instance changed since the quote was made. Get a new quote to continue.',
  IDEMPOTENCY_IN_PROGRESS: 'Your request is still being processed. Please wait a moment and try again.',
  ORDER_CONFLICT: 'This order conflicts with one already recorded.',
  INSTANCE_RELEASED: 'This instance has been released and its data purged.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request was not sent in a format the service accepts.',
  NOT_REFUNDABLE: 'This instance is not refundable.',
  NOTHING_TO_REFUND: 'There is nothing left to refund for this instance.',
  NO_PENDING_RENEWAL: 'This instance has no renewal that has not taken effect yet.',
  INVALID_EXPIRATION_TIME: 'The chosen expiration time is not allowed. Get a new quote to continue.',
  CONFIRMATION_REQUIRED: 'Please tick every confirmation before continuing.',
  REFUND_TYPE_MISMATCH: 'The refund type no longer matches the quote. Get a new quote to continue.',
  IDEMPOTENCY_KEY_REUSED: 'This request was already sent with other details. Please start again.',
  ORDER_NOT_CONTIGUOUS: 'This renewal does not follow the current period.',
  INTERNAL: 'Something went wrong on our side. Please try again later.',
};

const ABNORMAL_REASONS: Record<string, string> = {
  OVERDUE_PAYMENT: 'a payment is overdue',
  SECURITY_LOCKED: 'the instance is locked for security reasons',
  CONFIGURATION_CHANGE_IN_PROGRESS: 'an upgrade or downgrade is in progress',
};

/** Codes after which the only way on is a fresh quote. */
export const REQUOTE_CODES = new Set([
  'QUOTE_EXPIRED',
  'QUOTE_STALE',
  'QUOTE_ALREADY_USED',
  'INVALID_EXPIRATION_TIME',
  'REFUND_TYPE_MISMATCH',
  'IDEMPOTENCY_KEY_REUSED',
]);

export interface Refusal {
  code: string;
  title: string;
  reasons: string[];
  requote: boolean;
  retry: boolean;
}

export function refusalOf(error: unknown): Refusal {
  if (error instanceof NetworkError) {
    return {
      code: 'NETWORK',
      title: 'The service could not be reached. Check your connection and try again.',
      reasons: [],
      requote: false,
      retry: true,
    };
  }
  if (error instanceof ApiError) {
    const reasons: string[] = [];
    const detailReasons = error.details.reasons;
    if (Array.isArray(detailReasons)) {
      for (const reason of detailReasons) reasons.push(ABNORMAL_REASONS[String(reason)] ?? String(reason));
    }
    const missing = error.details.missing;
    if (Array.isArray(missing)) reasons.push(...missing.map((m) => `missing: ${String(m)}`));
    return {
      code: error.code,
      title: MESSAGES[error.code] ?? error.message,
      reasons,
      requote: REQUOTE_CODES.has(error.code),
      retry: error.code === 'IDEMPOTENCY_IN_PROGRESS' || error.status >= 500,
    };
  }
  // A refusal the page itself decides (the quote's countdown reached zero): a known code.
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code !== 'INTERNAL' && MESSAGES[code]) {
    return { code, title: MESSAGES[code], reasons: [], requote: REQUOTE_CODES.has(code), retry: false };
  }
  return { code: 'INTERNAL', title: MESSAGES.INTERNAL ?? '', reasons: [], requote: false, retry: true };
}
