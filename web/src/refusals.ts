/**
 * Every refusal (the API's error codes, and the page's own: no network, a quote that ran out)
 * as what happened and what the customer can do next, in words.
 */
import { ApiError, NetworkError } from './api.ts';
import { abnormalNextStep, abnormalReason, confirmationText } from './words.ts';

/** What the page can offer after a refusal; each screen turns it into a button or a link. */
export type NextAction = 'requote' | 'retry' | 'orders' | 'list' | 'renewals' | 'none';

interface Wording {
  title: string;
  next: string;
  action: NextAction;
}

const WORDS: Record<string, Wording> = {
  VALIDATION_FAILED: {
    title: 'Some of the information sent was not valid.',
    next: 'Check the details and try again.',
    action: 'none',
  },
  UNAUTHORIZED: {
    title: 'Your session has ended.',
    next: 'Please sign in again.',
    action: 'none',
  },
  FORBIDDEN: {
    title: 'You are not allowed to do this.',
    next: 'Sign in with the account that owns this resource.',
    action: 'none',
  },
  NOT_FOUND: {
    title: 'This was not found in your account.',
    next: 'Check the ID, or find it in the list.',
    action: 'list',
  },
  INSTANCE_NOT_ACTIVE: {
    title: 'This instance is no longer active, so it cannot be unsubscribed.',
    next: 'Its unsubscription is in your unsubscribe orders.',
    action: 'orders',
  },
  RESOURCE_INFO_UNAVAILABLE: {
    title: 'Failed to obtain unsubscription resource information.',
    next: 'Self-service unsubscription is unavailable while the instance is in this state.',
    action: 'list',
  },
  QUOTE_EXPIRED: {
    title: 'The refund quote has expired.',
    next: 'A quote is valid for 15 minutes. Get a new quote to continue.',
    action: 'requote',
  },
  QUOTE_ALREADY_USED: {
    title: 'This refund quote has already been used.',
    next: 'Your unsubscribe orders show what it was used for; get a new quote to start again.',
    action: 'requote',
  },
  QUOTE_STALE: {
    title: 'The instance changed since the quote was made.',
    next: 'Get a new quote to see the amounts as they are now.',
    action: 'requote',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    title: 'Your request is still being processed.',
    next: 'Wait a moment, then try again: it will not be done twice.',
    action: 'retry',
  },
  ORDER_CONFLICT: {
    title: 'This order conflicts with one already recorded.',
    next: 'Contact support.',
    action: 'none',
  },
  INSTANCE_RELEASED: {
    title: 'This instance has been released and its data deleted.',
    next: 'It can no longer be renewed or restored.',
    action: 'list',
  },
  // The back office's refusals (its own page words them too; customers never meet them).
  STATE_CHANGED: {
    title: 'This changed while you were looking at it.',
    next: 'Reload to see it as it is now, then decide again.',
    action: 'retry',
  },
  INSUFFICIENT_BALANCE: {
    title: 'The balance is too low for this debit.',
    next: 'A correction never takes a balance below zero; debit at most the balance.',
    action: 'none',
  },
  APPROVAL_NOT_PENDING: {
    title: 'This approval request has already been decided.',
    next: 'Reload the approval inbox.',
    action: 'retry',
  },
  APPROVAL_EXPIRED: {
    title: 'This approval request has expired.',
    next: 'The requester can file a new one.',
    action: 'none',
  },
  SELF_APPROVAL: {
    title: 'You cannot decide on your own request.',
    next: 'Another approver must approve or reject it.',
    action: 'none',
  },
  PAYLOAD_TOO_LARGE: {
    title: 'The request is too large.',
    next: 'Shorten the reason text and try again.',
    action: 'none',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    title: 'The request was not sent as JSON.',
    next: 'Reload the page and try again.',
    action: 'none',
  },
  NOT_REFUNDABLE: {
    title: 'Pay-as-you-go instances are not refunded.',
    next: 'To stop paying, release the instance in its product console after backing up its data.',
    action: 'list',
  },
  NOTHING_TO_REFUND: {
    title: 'There is nothing left to refund for this instance.',
    next: 'It stops at its expiration time; you do not need to unsubscribe.',
    action: 'list',
  },
  NO_PENDING_RENEWAL: {
    title: 'This instance has no renewal that has not taken effect.',
    next: 'To stop the current period as well, unsubscribe the resource instead.',
    action: 'list',
  },
  INVALID_EXPIRATION_TIME: {
    title: 'The chosen expiration time is no longer allowed.',
    next: 'Get a new quote to see the times you can choose now.',
    action: 'requote',
  },
  CONFIRMATION_REQUIRED: {
    title: 'Please tick every confirmation before continuing.',
    next: 'Tick the confirmations on the page, then try again.',
    action: 'none',
  },
  REFUND_TYPE_MISMATCH: {
    title: 'The refund type no longer matches the quote.',
    next: 'Get a new quote to continue.',
    action: 'requote',
  },
  IDEMPOTENCY_KEY_REUSED: {
    title: 'This request was already sent with other details.',
    next: 'Get a new quote and start again.',
    action: 'requote',
  },
  ORDER_NOT_CONTIGUOUS: {
    title: 'This renewal does not follow the current period.',
    next: 'Contact support.',
    action: 'none',
  },
  INTERNAL: {
    title: 'Something went wrong on our side.',
    next: 'Please try again in a few minutes. If it keeps happening, contact support.',
    action: 'retry',
  },
};

export interface Refusal {
  code: string;
  title: string;
  /** The facts behind it (the abnormal states of the instance), each a sentence. */
  reasons: string[];
  /** What the customer can do now, in words. */
  next: string[];
  action: NextAction;
}

function fromWords(code: string, fallbackTitle?: string): Refusal {
  const words = WORDS[code] ?? { ...(WORDS.INTERNAL as Wording), title: fallbackTitle ?? '' };
  return { code, title: words.title, reasons: [], next: [words.next], action: words.action };
}

export function refusalOf(error: unknown): Refusal {
  if (error instanceof NetworkError) {
    return {
      code: 'NETWORK',
      title: 'The service could not be reached.',
      reasons: [],
      next: ['Check your connection and try again: nothing is done twice.'],
      action: 'retry',
    };
  }
  if (error instanceof ApiError) {
    const refusal = fromWords(error.code, error.message);
    const flags = error.details.reasons;
    if (Array.isArray(flags) && flags.length > 0) {
      refusal.reasons = flags.map((f) => abnormalReason(String(f)));
      refusal.next = flags.map((f) => abnormalNextStep(String(f)));
    }
    const missing = error.details.missing;
    if (Array.isArray(missing))
      refusal.reasons.push(...missing.map((m) => `Not ticked: ${confirmationText(String(m))}`));
    return refusal;
  }
  // A refusal the page itself decides (the quote's countdown reached zero): a known code.
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code !== 'INTERNAL' && WORDS[code] ? fromWords(code) : fromWords('INTERNAL');
}
