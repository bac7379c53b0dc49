/**
 * The journal in the table: each entry is put once, in one transaction with a claim on its fact
 * (`JFACT#<entryId>`, `attribute_not_exists`), under its posting day (`JOURNAL#<YYYY-MM-DD>` /
 * `<postedAt ISO>#<entryId>`) so a day's export is one key-range query. Entries are never
 * updated or deleted (a correction is a new entry). A day's export is recorded once
 * (`JEXPORT#<day>` / `JEXPORT`: its files' keys, sizes and SHA-256) after its files are written.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DayExport, JournalStore } from '#ports/journal.ts';
import type { JournalEntry } from '#shared/paperwork/journal.ts';
import { cancellationReasons, isConditionFailure, type TableRef } from './client.ts';
import { stripKeys } from './keys.ts';

export const journalKeys = {
  fact: (entryId: string) => ({ pk: `JFACT#${entryId}`, sk: 'JFACT' }),
  entry: (entry: Pick<JournalEntry, 'day' | 'postedAt' | 'entryId'>) => ({
    pk: `JOURNAL#${entry.day}`,
    sk: `${new Date(entry.postedAt).toISOString()}#${entry.entryId}`,
  }),
  export: (day: string) => ({ pk: `JEXPORT#${day}`, sk: 'JEXPORT' }),
};

export class DynamoJournal implements JournalStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async post(entry: JournalEntry): Promise<boolean> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...journalKeys.fact(entry.entryId), entity: 'JOURNAL_FACT', day: entry.day },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: { ...journalKeys.entry(entry), entity: 'JOURNAL_ENTRY', ...entry },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async day(day: string): Promise<JournalEntry[]> {
    const { doc, tableName } = this.#table;
    const entries: JournalEntry[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `JOURNAL#${day}` },
          ConsistentRead: true,
          ExclusiveStartKey: after,
        }),
      );
      for (const item of page.Items ?? []) entries.push(stripKeys<JournalEntry>(item));
      after = page.LastEvaluatedKey;
    } while (after);
    return entries;
  }

  async exportOf(day: string): Promise<DayExport | null> {
    const { doc, tableName } = this.#table;
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: journalKeys.export(day), ConsistentRead: true }),
    );
    return Item ? stripKeys<DayExport>(Item) : null;
  }

  async recordExport(record: DayExport): Promise<boolean> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...journalKeys.export(record.day), entity: 'JOURNAL_EXPORT', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
