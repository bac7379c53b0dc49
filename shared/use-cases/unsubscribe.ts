import { retentionDeadlines } from '#policy/index.ts';
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

export type UnsubscribeDeps = QuotedExecutionDeps;

export interface UnsubscribeRequest {
  quoteId: string;
  refundType: 'FULL_REFUND' | 'PARTIAL_REFUND';
  confirmations: { rulesAndAmountConfirmed?: boolean; dataBackupConfirmed?: boolean };
  reason: Reason;
}

export interface UnsubscribeInput {
  accountId: string;
  instanceId: string;
  idempotencyKey: string;
  request: UnsubscribeRequest;
  now: Millis;
}

/**
 * Unsubscribes an instance with the amounts of its quote, exactly once:
 * 1. claim the Idempotency-Key (replays, reuse and in-progress are answered here);
 * 2. require both confirmations;
 * 3. load and check the quote and the instance (`loadQuoted`), and the refund type;
 * 4. commit one transaction: instance UNSUBSCRIBED with its paid orders ended, unsubscribe
 *    order PENDING, quote used, the year's quota used (FULL_REFUND), both retention purges
 *    scheduled, the 202 response stored under the key;
 * 5. enqueue the refund for settlement.
 */
export async function unsubscribe(deps: UnsubscribeDeps, input: UnsubscribeInput): Promise<StoredResponse> {
  const { accountId, instanceId, request, now } = input;
  return runIdempotent(
    deps.idempotency,
    {
      accountId,
      key: input.idempotencyKey,
      fingerprint: fingerprint('unsubscribe', instanceId, request),
      now,
    },
    async (complete) => {
      const missing = [
        ...(request.confirmations.rulesAndAmountConfirmed === true ? [] : ['rulesAndAmountConfirmed']),
        ...(request.confirmations.dataBackupConfirmed === true ? [] : ['dataBackupConfirmed']),
      ];
      if (missing.length > 0) {
        throw new RefundError(
          'CONFIRMATION_REQUIRED',
          'Confirm the unsubscription rules, the amount and the data backup',
          {
            missing,
          },
        );
      }
      const target = { accountId, instanceId, quoteId: request.quoteId, now };
      const { quote, instance } = await loadQuoted(deps, 'UNSUBSCRIBE', target);
      if (quote.quote.kind !== 'UNSUBSCRIBE')
        throw new Error('an UNSUBSCRIBE quote holds an unsubscribe quote');
      if (request.refundType !== quote.quote.refundType) {
        throw new RefundError('REFUND_TYPE_MISMATCH', `The quote is a ${quote.quote.refundType}`, {
          quoted: quote.quote.refundType,
          requested: request.refundType,
        });
      }

      const policy = policyOfQuote(quote, deps.policies);
      const order = newUnsubscribeOrder(quote, instance, request.reason, now, deps.holidays, policy);
      const deadlines = retentionDeadlines(now, policy);
      const unsubscribed: InstanceRecord = {
        ...instance,
        status: 'UNSUBSCRIBED',
        // Every paid order ends here, so a restored instance can never refund them again.
        orders: instance.orders.map((o) => (o.status === 'PAID' ? { ...o, status: 'CANCELLED' } : o)),
        unsubscribedAt: now,
        retention: {
          configData: { status: 'RETAINED', purgeAt: deadlines.configDataPurgeAt, purgedAt: null },
          logData: { status: 'RETAINED', purgeAt: deadlines.logDataPurgeAt, purgedAt: null },
        },
      };
      const response = { body: JSON.stringify(presentUnsubscribeOrder(order)) };
      const conflict = await deps.executions.commitUnsubscription({
        instance: unsubscribed,
        expectedVersion: instance.version,
        order,
        quote,
        quotaYear: quote.quote.usesQuota ? quote.quote.quotaYear : null,
        idempotency: complete(response),
      });
      if (conflict) throw await explainConflict(deps, conflict, target, 'UNSUBSCRIBE');

      await enqueueAfterCommit(deps.queue, order, deps.onEnqueueFailure);
      return response;
    },
  );
}
