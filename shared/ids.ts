import { randomUUID } from 'node:crypto';
import type { Millis } from '#shared/domain.ts';

const TIME_WIDTH = 9; // base36 milliseconds: fixed width until the year 5188

/** The creation-time part of an unsubscribe-order id; ids of later orders sort after it. */
export const unsubscribeOrderIdTime = (at: Millis): string =>
  Math.max(0, at).toString(36).padStart(TIME_WIDTH, '0');

/** `uo-<creation time, base36>-<random>`: unique, and sorts by creation time (listing by time is a key range). */
export function newUnsubscribeOrderId(createdAt: Millis): string {
  return `uo-${unsubscribeOrderIdTime(createdAt)}-${randomUUID().slice(0, 18)}`;
}

export const newQuoteId = (): string => `q-${randomUUID()}`;

/** `<prefix>-<time, base36>-<random>` for the back office's records: unique, sorting by time. */
export function newTimedId(prefix: string, at: Millis): string {
  return `${prefix}-${unsubscribeOrderIdTime(at)}-${randomUUID().slice(0, 18)}`;
}
