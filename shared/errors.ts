/**
 * Every refusal the service can give, with its HTTP status (SPEC 4.4).
 * Use cases and the policy throw `RefundError`; the HTTP layer maps it in one place
 * (the `errorResponses` middleware of `#http/handler.ts`); anything else becomes a 500 `INTERNAL` that reveals nothing.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INSTANCE_NOT_ACTIVE: 409,
  RESOURCE_INFO_UNAVAILABLE: 409,
  QUOTE_EXPIRED: 409,
  QUOTE_ALREADY_USED: 409,
  QUOTE_STALE: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  ORDER_CONFLICT: 409,
  INSTANCE_RELEASED: 409,
  /** Back office: what an operator acted on is no longer in the state the action needs. */
  STATE_CHANGED: 409,
  INSUFFICIENT_BALANCE: 409,
  APPROVAL_NOT_PENDING: 409,
  APPROVAL_EXPIRED: 409,
  /** Back office: nobody approves their own request (four-eyes). */
  SELF_APPROVAL: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_REFUNDABLE: 422,
  NOTHING_TO_REFUND: 422,
  NO_PENDING_RENEWAL: 422,
  INVALID_EXPIRATION_TIME: 422,
  CONFIRMATION_REQUIRED: 422,
  REFUND_TYPE_MISMATCH: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  ORDER_NOT_CONTIGUOUS: 422,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetails = Record<string, unknown>;

/** The JSON body of every error answer: `{"error": {code, message, details}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetails };
}

export class RefundError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'RefundError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (what: string): RefundError => new RefundError('NOT_FOUND', `${what} not found`);

export const validationFailed = (issues: { field: string; message: string }[]): RefundError =>
  new RefundError(
    'VALIDATION_FAILED',
    issues.length === 1 && issues[0]
      ? `${issues[0].field}: ${issues[0].message}`
      : 'The request is not valid',
    { issues },
  );
