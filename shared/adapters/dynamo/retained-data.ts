/**
 * The default `RetainedDataStore`: the instance's configuration and log-analysis data kept in
 * this service's table (`DATA#<instanceId>#<kind>`, written when the instance is created).
 * Deleting an item that is already gone succeeds, so the purger may call it again. Throttling
 * becomes `ThrottledError` (the purger slows down and deletes again).
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { ThrottledError } from '#ports/purges.ts';
import type { RetainedDataRef, RetainedDataStore } from '#ports/retained-data.ts';
import { isThrottling, type TableRef } from './client.ts';
import { keys } from './keys.ts';

export class DynamoRetainedDataStore implements RetainedDataStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async delete(ref: RetainedDataRef): Promise<void> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.retainedData(ref.accountId, ref.instanceId, ref.kind),
        }),
      );
    } catch (error) {
      if (isThrottling(error)) throw new ThrottledError({ cause: error });
      throw error;
    }
  }
}
