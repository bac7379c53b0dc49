/**
 * Where an unsubscribed instance's retained data lives: its configuration data and its
 * log-analysis data (SPEC 2.4). The purger deletes one kind at a time through this port; the
 * default adapter (`#adapters/dynamo/retained-data.ts`) deletes the copy kept in this
 * service's table, and a deployment can point it at the product's real stores.
 *
 * Contract: `delete` must be idempotent — deleting data that is already gone succeeds — and
 * it is only ever called after the purge has been recorded (the instance shows the kind
 * `PURGED`), so a restore can no longer claim the data. If it throws, the purge stays on the
 * due index and the next run calls it again. A store over its capacity throws `ThrottledError`
 * (`#ports/purges.ts`): the purger then slows down and calls it again in the same run.
 */
import type { DataKind } from '#shared/model.ts';

export interface RetainedDataRef {
  accountId: string;
  instanceId: string;
  kind: DataKind;
}

export interface RetainedDataStore {
  delete(ref: RetainedDataRef): Promise<void>;
}
