/**
 * The balance ledger: one immutable item per credited line, keyed by the line
 * (`LEDGER#<unsubscribeOrderId>#<orderId>`), so a line can be credited at most once. Entries
 * are only ever put with `attribute_not_exists` and never updated or deleted; the balance is
 * derived from them (`#use-cases/get-balance.ts`).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerReader } from '#ports/ledger.ts';
import type { LedgerEntry } from '#shared/model.ts';
import type { TableRef } from './client.ts';
import { keys, stripKeys } from './keys.ts';

const PAGE = 500;

/** The conditional Put of a ledger entry, for use inside a settlement transaction. */
export function ledgerPut(tableName: string, entry: LedgerEntry) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        // A line's credit is keyed by the line (credited at most once); an adjustment by its id.
        ...(entry.unsubscribeOrderId !== null && entry.orderId !== null
          ? keys.ledgerEntry(entry.accountId, entry.unsubscribeOrderId, entry.orderId)
          : keys.adjustmentEntry(entry.accountId, entry.entryId)),
        entity: 'LEDGER_ENTRY',
        ...entry,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export class DynamoLedger implements LedgerReader {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  /** Every entry of one account (a key-range query on the account's partition). */
  async entries(accountId: string): Promise<LedgerEntry[]> {
    const { doc, tableName } = this.#table;
    const entries: LedgerEntry[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': keys.ledgerPrefix },
          ExclusiveStartKey: after,
          ConsistentRead: true,
          Limit: PAGE,
        }),
      );
      for (const item of result.Items ?? []) entries.push(stripKeys<LedgerEntry>(item));
      after = result.LastEvaluatedKey;
    } while (after);
    return entries;
  }
}
