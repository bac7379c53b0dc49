import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { QuoteStore } from '#ports/stores.ts';
import type { QuoteRecord } from '#shared/model.ts';
import { getItem, type TableRef } from './client.ts';
import { keys } from './keys.ts';

/** Expired quotes are removed by DynamoDB TTL a day after they expire (a clean-up backstop only: expiry is checked in code). */
const TTL_GRACE_SECONDS = 86_400;

export class DynamoQuoteStore implements QuoteStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async save(quote: QuoteRecord): Promise<void> {
    const { doc, tableName } = this.#table;
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.quote(quote.accountId, quote.quoteId),
          entity: 'QUOTE',
          ...quote,
          ttl: Math.ceil(quote.expiresAt / 1000) + TTL_GRACE_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(accountId: string, quoteId: string): Promise<QuoteRecord | null> {
    return getItem<QuoteRecord>(this.#table, keys.quote(accountId, quoteId));
  }
}
