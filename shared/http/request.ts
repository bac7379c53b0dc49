/** Helpers for route handlers: what a request carries beyond its parsed parts. */
import { RefundError } from '#shared/errors.ts';
import type { HttpRequest } from './handler.ts';

/** The caller's account; for handlers of public routes. */
export function callerAccount(request: HttpRequest): string {
  if (request.accountId === null) throw new RefundError('UNAUTHORIZED', 'A valid token is required');
  return request.accountId;
}

/** The `Idempotency-Key` header (1–255 characters), required for money-moving requests. */
export function idempotencyKey(request: HttpRequest): string {
  const key = request.headers['idempotency-key'];
  if (key === undefined || key.length < 1 || key.length > 255) {
    throw new RefundError('VALIDATION_FAILED', 'The Idempotency-Key header (1–255 characters) is required', {
      issues: [
        {
          field: 'Idempotency-Key',
          message: key === undefined ? 'missing header' : 'must be 1–255 characters',
        },
      ],
    });
  }
  return key;
}
