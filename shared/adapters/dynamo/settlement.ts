/**
 * The unsubscribe order as settlement sees it. Every write is conditional so that any number
 * of deliveries of the same message, racing or not, settle each line once:
 *
 * - a status change is conditioned on the current status (and appends one history entry);
 * - a line is `lines[i]`, settled only while `lines[i].status = PENDING` (and the line is the
 *   expected order), in the same transaction as its ledger entry's `attribute_not_exists` put;
 * - completion is conditioned on every line being `SETTLED`.
 *
 * Leaving `PENDING` removes the order from the sparse `pending` index (the reconciler's work list);
 * entering `NEEDS_ATTENTION` puts it back there under `ATTENTION#<shard>` (the operators' queue),
 * and completing takes it off the `due` index's `SLA#` partitions (orders not yet settled).
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Completion, LineSettlement, SettlementStore, StatusChange } from '#ports/settlement.ts';
import { TABLE } from '#schema/table.ts';
import type { HistoryEntry, RefundMessage, UnsubscribeOrder } from '#shared/model.ts';
import { cancellationReasons, getItem, isConditionFailure, type TableRef } from './client.ts';
import { keys } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { attentionIndex, DUE_INDEX_ATTRIBUTES } from './ops-keys.ts';
import { providerRefundPut } from './provider-refunds.ts';
import { withConflictRetry } from './transactions.ts';

const PENDING_INDEX = `${TABLE.indexes.pending.partitionKey}, ${TABLE.indexes.pending.sortKey}`;

function historyEntry(change: {
  to: HistoryEntry['status'];
  at: number;
  note?: string | undefined;
  receiveCount?: number | undefined;
}): HistoryEntry {
  const entry: HistoryEntry = { status: change.to, at: change.at };
  if (change.note !== undefined) entry.note = change.note;
  if (change.receiveCount !== undefined) entry.receiveCount = change.receiveCount;
  return entry;
}

export class DynamoSettlementStore implements SettlementStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async get(ref: RefundMessage): Promise<UnsubscribeOrder | null> {
    return getItem<UnsubscribeOrder>(
      this.#table,
      keys.unsubscribeOrder(ref.accountId, ref.unsubscribeOrderId),
    );
  }

  async transition(ref: RefundMessage, change: StatusChange): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const from = Object.fromEntries(change.from.map((status, i) => [`:from${i}`, status]));
    // Entering NEEDS_ATTENTION puts the order on the operators' queue (same index, its own partition).
    const attention =
      change.to === 'NEEDS_ATTENTION' ? attentionIndex(ref.unsubscribeOrderId, change.at) : null;
    const index = attention
      ? `, ${Object.keys(attention)
          .map((name, i) => `${name} = :index${i}`)
          .join(', ')}`
      : ` REMOVE ${PENDING_INDEX}`;
    const indexValues = attention
      ? Object.fromEntries(Object.values(attention).map((value, i) => [`:index${i}`, value]))
      : {};
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.unsubscribeOrder(ref.accountId, ref.unsubscribeOrderId),
          UpdateExpression: `SET #status = :to, #history = list_append(#history, :entry)${index}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${Object.keys(from).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status', '#history': 'history' },
          ExpressionAttributeValues: {
            ':to': change.to,
            ':entry': [historyEntry(change)],
            ...from,
            ...indexValues,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async settleLine(ref: RefundMessage, settlement: LineSettlement): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const line = `#lines[${settlement.index}]`;
    const refundId = settlement.providerRefundId;
    // SUBMITTED: not settled yet (no settledTo/settledAt); SETTLED: where the money went.
    const set = settlement.submitted
      ? [`${line}.#status = :status`, `${line}.submittedAt = :at`]
      : [`${line}.#status = :status`, `${line}.settledTo = :to`, `${line}.settledAt = :at`];
    if (refundId) set.push(`${line}.providerRefundId = :refundId`);
    try {
      await withConflictRetry(() =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.unsubscribeOrder(ref.accountId, ref.unsubscribeOrderId),
                  UpdateExpression: `SET ${set.join(', ')}`,
                  ConditionExpression: `${line}.#status = :pending AND ${line}.orderId = :orderId`,
                  ExpressionAttributeNames: { '#status': 'status', '#lines': 'lines' },
                  ExpressionAttributeValues: {
                    ':status': settlement.submitted ? 'SUBMITTED' : 'SETTLED',
                    ':pending': 'PENDING',
                    ':at': settlement.settledAt,
                    ':orderId': settlement.orderId,
                    ...(settlement.submitted ? {} : { ':to': settlement.settledTo }),
                    ...(refundId ? { ':refundId': refundId } : {}),
                  },
                },
              },
              ...(settlement.credit ? [ledgerPut(tableName, settlement.credit)] : []),
              ...(refundId
                ? [
                    providerRefundPut(tableName, {
                      providerRefundId: refundId,
                      accountId: ref.accountId,
                      unsubscribeOrderId: ref.unsubscribeOrderId,
                      orderId: settlement.orderId,
                      lineIndex: settlement.index,
                      submittedAt: settlement.settledAt,
                    }),
                  ]
                : []),
            ],
          }),
        ),
      );
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      // The line is no longer PENDING: another delivery settled it (and wrote its credit) first.
      if (reasons?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async complete(ref: RefundMessage, completion: Completion): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const linesSettled = Array.from(
      { length: completion.lineCount },
      (_, i) => `#lines[${i}].#status = :settled`,
    );
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.unsubscribeOrder(ref.accountId, ref.unsubscribeOrderId),
          UpdateExpression:
            'SET #status = :succeeded, settledAt = :settledAt, slaBreached = :late, ' +
            `#history = list_append(#history, :entry) REMOVE ${PENDING_INDEX}, ${DUE_INDEX_ATTRIBUTES}`,
          ConditionExpression: ['#status IN (:processing, :attention)', ...linesSettled].join(' AND '),
          ExpressionAttributeNames: {
            '#status': 'status',
            '#history': 'history',
            ...(completion.lineCount > 0 ? { '#lines': 'lines' } : {}),
          },
          ExpressionAttributeValues: {
            ':succeeded': 'SUCCEEDED',
            ':processing': 'PROCESSING',
            ':attention': 'NEEDS_ATTENTION',
            ':settledAt': completion.settledAt,
            ':late': completion.slaBreached,
            ':entry': [historyEntry({ to: 'SUCCEEDED', at: completion.at })],
            ...(completion.lineCount > 0 ? { ':settled': 'SETTLED' } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
