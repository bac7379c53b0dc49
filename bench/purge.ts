/**
 * Retention purge cost: time per purged instance when 1 000 and 10 000 instances are due
 * (quick mode: 20 and 100), with as many instances *not* due yet sitting on the same index
 * (their cost must not show: the purger reads a key range up to `now`, never a scan). The
 * real purger handler runs as the schedule would, again and again at the same `now`, each run
 * bounded by its default item budget, until it reports nothing remaining. The DynamoDB
 * commands it sent are counted per kind (through a middleware on the same client).
 *
 * Baseline, same run, same client: the operations one purged instance must make, issued
 * directly for a sample of instances with the same concurrency (8): per data kind, GetItem
 * instance (consistent) → TransactWriteItems (instance kind PURGED [+ RELEASED], purge item
 * marked) → DeleteItem data → DeleteItem purge item.
 *
 * No timing assertions: plain figures. Run alone: `npx node bench/purge.ts [--quick]`.
 */

import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamo/client.ts';
import { keys } from '#adapters/dynamo/keys.ts';
import { createTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoLocal } from '#infra/local/emulators.ts';
import { toIso } from '#policy/index.ts';
import type { DataKind } from '#shared/model.ts';
import { unsubscribedInstanceItems } from '#test/support/settlement-fixtures.ts';

export interface PurgeFigure {
  dueInstances: number;
  notDueInstances: number;
  runs: number;
  totalMs: number;
  msPerPurgedInstance: number;
  purgedKinds: number;
  released: number;
  /** DynamoDB commands the purger sent, by kind (no ScanCommand may appear). */
  commands: Record<string, number>;
  commandsPerPurgedInstance: number;
  /** The same-run floor for a sample of instances: the must-make operations issued directly. */
  raw: { instances: number; totalMs: number; msPerInstance: number };
  /** msPerPurgedInstance ÷ raw.msPerInstance. */
  vsRaw: number;
}

export interface PurgeBench {
  quick: boolean;
  concurrency: number;
  maxItemsPerRun: number;
  figures: PurgeFigure[];
}

const UNSUBSCRIBED_AT = Date.parse('2026-04-10T15:30:00.000Z');
const NOW = Date.parse('2026-04-18T00:00:00.000Z');
const KINDS: readonly DataKind[] = ['CONFIG', 'LOG'];
const field = (kind: DataKind) => (kind === 'CONFIG' ? 'configData' : 'logData');

/** `withData`: the instance and its data items too; `onIndex`: the purge items on the due index (the raw sample's are not: only the purger looks there). */
function instanceItems(
  accountId: string,
  instanceId: string,
  unsubscribedAt: number,
  withData: boolean,
  onIndex = true,
): Record<string, unknown>[] {
  const { purgeItems, otherItems } = unsubscribedInstanceItems({
    accountId,
    instanceId,
    unsubscribedAt,
    onIndex,
    dataPadding: 512,
  });
  return withData ? [...purgeItems, ...otherItems] : purgeItems;
}

async function inParallel<T>(
  items: readonly T[],
  width: number,
  f: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await f(item);
      }
    }),
  );
}

export async function benchPurge(opts: { quick: boolean }): Promise<PurgeBench> {
  const sizes = opts.quick ? [20, 100] : [1_000, 10_000];
  const rawSample = (size: number) => Math.min(size, opts.quick ? 20 : 500);
  const concurrency = 8;
  const dynamo = await startDynamoLocal();
  try {
    process.env.TABLE_NAME ??= 'bench-purge';
    process.env.AWS_REGION ??= LOCAL_REGION;
    process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    process.env.PURGE_QUEUE_URL ??= 'http://127.0.0.1:1/000000000000/purge-work.fifo';
    const { purgePipeline } = await import('#test/support/purge-pipeline.ts');
    const { DEFAULT_MAX_ITEMS_PER_RUN } = await import('#use-cases/purge-retention.ts');

    const counts: Record<string, number> = {};
    let counting = false;
    dynamo.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (counting) counts[String(context.commandName)] = (counts[String(context.commandName)] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchCommandCounter' },
    );
    const doc = documentClient(dynamo.client);

    const figures: PurgeFigure[] = [];
    for (const size of sizes) {
      const tableName = `bench-purge-${size}-${randomUUID().slice(0, 6)}`;
      // No stream: nothing reads it here, and DynamoDB Local's stream bookkeeping only slows the seeding.
      await createTable(dynamo.client, tableName, { stream: false });
      const run = randomUUID().slice(0, 6);
      const due = Array.from({ length: size }, (_, i) => ({
        accountId: `acct-${run}-${i % 97}`,
        instanceId: `i-${run}-${i}`,
      }));
      const sample = Array.from({ length: rawSample(size) }, (_, i) => ({
        accountId: `acct-${run}-raw-${i % 97}`,
        instanceId: `i-${run}-raw-${i}`,
      }));
      const warm = Array.from({ length: 8 }, (_, i) => ({
        accountId: `acct-${run}-warm-${i}`,
        instanceId: `i-${run}-warm-${i}`,
      }));
      const items = [
        ...warm.flatMap((d) => instanceItems(d.accountId, d.instanceId, UNSUBSCRIBED_AT, true, false)),
        ...due.flatMap((d) => instanceItems(d.accountId, d.instanceId, UNSUBSCRIBED_AT, true)),
        ...sample.flatMap((d) => instanceItems(d.accountId, d.instanceId, UNSUBSCRIBED_AT, true, false)),
        // Not due yet: unsubscribed a day after `NOW`; they wait on the same index.
        ...Array.from({ length: size }, (_, i) =>
          instanceItems(`acct-${run}-${i % 97}`, `i-${run}-later-${i}`, NOW + 86_400_000, false),
        ).flat(),
      ];
      const batches: Record<string, unknown>[][] = [];
      for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
      await inParallel(batches, 16, async (batch) => {
        let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
          [tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
        };
        while (request && Object.keys(request).length > 0) {
          const result = await doc.send(new BatchWriteCommand({ RequestItems: request }));
          request = result.UnprocessedItems as typeof request;
        }
      });

      // The raw baseline: its sample is not on the due index, so the purger never sees it.
      const rawPurge = async ({
        accountId,
        instanceId,
        kind,
      }: {
        accountId: string;
        instanceId: string;
        kind: DataKind;
      }) => {
        await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: keys.instance(accountId, instanceId),
            ConsistentRead: true,
          }),
        );
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.instance(accountId, instanceId),
                  UpdateExpression: `SET #r.${field(kind)}.#s = :purged, #r.${field(kind)}.purgedAt = :now, #v = #v + :one`,
                  ConditionExpression: `#r.${field(kind)}.#s = :retained`,
                  ExpressionAttributeNames: { '#r': 'retention', '#s': 'status', '#v': 'version' },
                  ExpressionAttributeValues: {
                    ':purged': 'PURGED',
                    ':retained': 'RETAINED',
                    ':now': NOW,
                    ':one': 1,
                  },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: keys.purge(accountId, instanceId, kind),
                  UpdateExpression: 'SET purgedAt = :now',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(purgedAt)',
                  ExpressionAttributeValues: { ':now': NOW },
                },
              },
            ],
          }),
        );
        await doc.send(
          new DeleteCommand({ TableName: tableName, Key: keys.retainedData(accountId, instanceId, kind) }),
        );
        await doc.send(
          new DeleteCommand({ TableName: tableName, Key: keys.purge(accountId, instanceId, kind) }),
        );
      };
      const kindsOf = (list: typeof sample) => list.flatMap((s) => KINDS.map((kind) => ({ ...s, kind })));
      await inParallel(kindsOf(warm), concurrency, rawPurge);
      // Half the raw sample before the purger and half after (DynamoDB Local's JVM keeps warming up).
      const half = Math.ceil(sample.length / 2);
      const rawHalf = async (list: typeof sample) => {
        const rawStart = process.hrtime.bigint();
        await inParallel(kindsOf(list), concurrency, rawPurge);
        return Number(process.hrtime.bigint() - rawStart) / 1e6;
      };
      let rawMs = await rawHalf(sample.slice(0, half));

      const purge = purgePipeline({ doc, tableName }, { workers: 1, inFlight: concurrency });
      for (const key of Object.keys(counts)) delete counts[key];
      counting = true;
      let runs = 0;
      let purgedKinds = 0;
      let released = 0;
      const start = process.hrtime.bigint();
      for (;;) {
        runs += 1;
        const summary = await purge(toIso(NOW));
        purgedKinds += summary.purged;
        released += summary.released;
        if (!summary.remaining) break;
        if (runs > 1000) throw new Error('the purger did not finish');
      }
      const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
      counting = false;
      rawMs += await rawHalf(sample.slice(half));
      if (released !== size) throw new Error(`expected ${size} instances released, got ${released}`);
      const commandTotal = Object.values(counts).reduce((a, b) => a + b, 0);
      const msPerPurgedInstance = totalMs / size;
      const rawPerInstance = rawMs / sample.length;
      figures.push({
        dueInstances: size,
        notDueInstances: size,
        runs,
        totalMs,
        msPerPurgedInstance,
        purgedKinds,
        released,
        commands: { ...counts },
        commandsPerPurgedInstance: commandTotal / size,
        raw: { instances: sample.length, totalMs: rawMs, msPerInstance: rawPerInstance },
        vsRaw: msPerPurgedInstance / rawPerInstance,
      });
    }
    return { quick: opts.quick, concurrency, maxItemsPerRun: DEFAULT_MAX_ITEMS_PER_RUN, figures };
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.main) {
  const result = await benchPurge({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
