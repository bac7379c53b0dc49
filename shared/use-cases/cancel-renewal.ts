import type { StoredResponse } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import type { InstanceRecord, Reason } from '#shared/model.ts';
import { presentUnsubscribeOrder } from '#shared/present.ts';
import { fingerprint } from './fingerprint.ts';
import { runIdempotent } from './idempotent.ts';
import {
  enqueueAfterCommit,
  explainConflict,
  loadQuoted,
  newUnsubscribeOrder,
  policyOfQuote,
  type QuotedExecutionDeps,
} from './quoted-execution.ts';

export type CancelRenewalDeps = QuotedExecutionDeps;

export interface CancelRenewalRequest {
  quoteId: string;
  updatedExpirationTime: Millis;
  confirmations: { rulesAndAmountConfirmed?: boolean };
  reason?: Reason;
}

export interface CancelRenewalInput {
  accountId: string;
  instanceId: string;
  idempotencyKey: string;
  request: CancelRenewalRequest;
  now: Millis;
}

/**
 * Cancels the pending renewals a quote names, exactly once:
 * 1. claim the Idempotency-Key;
 * 2. require the rules-and-amount confirmation;
 * 3. load and check the quote and the instance (every renewal it cancels still not started at
 *    `now`, else QUOTE_STALE), and that the updated expiration time is the quoted one;
 * 4. commit one transaction: the cancelled renewals CANCELLED on the still ACTIVE instance (the
 *    write conditioned on each of them still PAID and starting after `now`),
 *    unsubscribe order PENDING, quote used, the 202 response stored under the key
 *    (no quota is used and no data is touched);
 * 5. enqueue the refund for settlement.
 */
export async function cancelRenewal(
  deps: CancelRenewalDeps,
  input: CancelRenewalInput,
): Promise<StoredResponse> {
  const { accountId, instanceId, request, now } = input;
  return runIdempotent(
    deps.idempotency,
    {
      accountId,
      key: input.idempotencyKey,
      fingerprint: fingerprint('cancel-renewal', instanceId, request),
      now,
    },
    async (complete) => {
      if (request.confirmations.rulesAndAmountConfirmed !== true) {
        throw new RefundError('CONFIRMATION_REQUIRED', 'Confirm the rules and the refund amount', {
          missing: ['rulesAndAmountConfirmed'],
        });
      }
      const target = { accountId, instanceId, quoteId: request.quoteId, now };
      const { quote, instance } = await loadQuoted(deps, 'CANCEL_RENEWAL', target);
      if (quote.quote.kind !== 'CANCEL_RENEWAL')
        throw new Error('a CANCEL_RENEWAL quote holds a renewal quote');
      const quoted = quote.quote;
      if (request.updatedExpirationTime !== quoted.updatedExpirationTime) {
        throw new RefundError(
          'INVALID_EXPIRATION_TIME',
          'updatedExpirationTime must be the one of the quote',
          {
            quoted: new Date(quoted.updatedExpirationTime).toISOString(),
            allowed: quoted.allowedExpirationTimes.map((t) => new Date(t).toISOString()),
          },
        );
      }

      const order = newUnsubscribeOrder(
        quote,
        instance,
        request.reason ?? null,
        now,
        deps.holidays,
        policyOfQuote(quote, deps.policies),
      );
      const cancelled = new Set(quoted.cancelledOrderIds);
      const updated: InstanceRecord = {
        ...instance,
        orders: instance.orders.map((o) => (cancelled.has(o.orderId) ? { ...o, status: 'CANCELLED' } : o)),
      };
      const response = { body: JSON.stringify(presentUnsubscribeOrder(order)) };
      const conflict = await deps.executions.commitRenewalCancellation({
        instance: updated,
        expectedVersion: instance.version,
        order,
        quote,
        idempotency: complete(response),
      });
      if (conflict) throw await explainConflict(deps, conflict, target, 'CANCEL_RENEWAL');

      await enqueueAfterCommit(deps.queue, order, deps.onEnqueueFailure);
      return response;
    },
  );
}
