/**
 * DynamoDB request units per operation, on DynamoDB Local with the real handlers and use
 * cases: quote, unsubscribe, renewal cancellation, settle a line (the refund processor on a
 * one-line order, which also completes the order), purge one kind (a worker on the purge's
 * shard), publish one event (the event publisher on the purge's stream record).
 *
 * Every DynamoDB call is sent with `ReturnConsumedCapacity: INDEXES`; the images of the items
 * it writes are read before and after it (and a Query's matched items read again), and its
 * units computed from those sizes by DynamoDB's documented rules (`bench/support/capacity.ts`).
 * DynamoDB Local's own figure is kept next to it: it agrees with the rules on single-item calls
 * and doubles transactions (docs/performance.md), so the computed figure is the one reported,
 * and single-item calls are the cross-check. The floor of each operation is the least its
 * writes could cost: every item it changes written once, alone, with no transaction and no
 * index. Run alone: `npx node bench/request-units.ts`.
 */
import { randomUUID } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { dueShardOf } from '#adapters/dynamo/keys.ts';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { DynamoRetainedDataStore } from '#adapters/dynamo/retained-data.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import { INTERNAL_SCOPE } from '#http/routes.ts';
import { jwtAuthorizer, matchRoute, toApiEvent } from '#infra/local/api-event.ts';
import { createTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoLocal } from '#infra/local/emulators.ts';
import { lambdaContext } from '#infra/local/lambda-events.ts';
import { TABLE } from '#schema/table.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import type { RefundMessage } from '#shared/model.ts';
import { apiStores, tableRef } from '#shared/wiring.ts';
import { purgeRetention } from '#use-cases/purge-retention.ts';
import {
  type IndexKeys,
  type Item,
  indexWriteUnits,
  itemBytes,
  readUnits,
  sameItem,
  writeUnits,
} from './support/capacity.ts';

export interface CallUnits {
  command: string;
  /** By the documented rules, from the item sizes. */
  computed: { read: number; write: number; index: Record<string, number> };
  /** DynamoDB Local's ConsumedCapacity (table, and per index), if it answered one. */
  reported: { read: number; write: number; index: Record<string, number> } | null;
  /** One item, not in a transaction: where DynamoDB Local's figure is checked against the rules. */
  single: boolean;
}

export interface OperationUnits {
  operation: string;
  calls: CallUnits[];
  read: number;
  write: number;
  indexWrite: number;
  /** Sizes of the items the operation changed (largest image), bytes. */
  written: { item: string; bytes: number }[];
  /** The least its writes could cost: each changed item written once, alone, no index. */
  floorWrite: number;
  /** DynamoDB Local's total for the same calls (transactions doubled there). */
  reportedTotal: number | null;
}

export interface RequestUnitsBench {
  operations: OperationUnits[];
  /** Single-item calls where DynamoDB Local reported units: how many, and how many agree with the rules. */
  check: { calls: number; agreeing: number; disagreeing: string[] };
}

const INDEXES: readonly IndexKeys[] = Object.values(TABLE.indexes).map((i) => ({
  name: i.indexName,
  partitionKey: i.partitionKey,
  sortKey: i.sortKey,
  projection: 'projection' in i && i.projection === 'KEYS_ONLY' ? 'KEYS_ONLY' : 'ALL',
}));
const WITH_CAPACITY = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
]);

type Key = Record<string, AttributeValue>;
interface Write {
  key: Key;
  transactional: boolean;
  /** A condition check in a transaction: read, not written. */
  checkOnly?: boolean;
}

const keyText = (key: Key) => `${key.pk?.S ?? ''} ${key.sk?.S ?? ''}`;
const keyOfItem = (item: Item): Key => ({ pk: item.pk as AttributeValue, sk: item.sk as AttributeValue });

/** The items a write command writes (or checks). */
function writesOf(command: string, input: Record<string, unknown>): Write[] {
  switch (command) {
    case 'PutItemCommand':
      return [{ key: keyOfItem(input.Item as Item), transactional: false }];
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [{ key: input.Key as Key, transactional: false }];
    case 'BatchWriteItemCommand':
      return Object.values(input.RequestItems as Record<string, Record<string, Record<string, unknown>>[]>)
        .flat()
        .map((r) => ({
          key: r.PutRequest ? keyOfItem(r.PutRequest.Item as Item) : (r.DeleteRequest?.Key as Key),
          transactional: false,
        }));
    case 'TransactWriteItemsCommand':
      return (input.TransactItems as Record<string, Record<string, unknown>>[]).map((member) => {
        if (member.Put) return { key: keyOfItem(member.Put.Item as Item), transactional: true };
        if (member.Update) return { key: member.Update.Key as Key, transactional: true };
        if (member.Delete) return { key: member.Delete.Key as Key, transactional: true };
        return { key: member.ConditionCheck?.Key as Key, transactional: true, checkOnly: true };
      });
    default:
      return [];
  }
}

function reportedOf(output: Record<string, unknown>): CallUnits['reported'] {
  const raw = output.ConsumedCapacity as
    | {
        ReadCapacityUnits?: number;
        WriteCapacityUnits?: number;
        CapacityUnits?: number;
        Table?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };
        GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
      }
    | { Table?: { CapacityUnits?: number } }[]
    | undefined;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (list.length === 0) return null;
  let read = 0;
  let write = 0;
  const index: Record<string, number> = {};
  for (const c of list as Record<string, unknown>[]) {
    const table = (c.Table ?? {}) as Record<string, number | undefined>;
    read += table.ReadCapacityUnits ?? (c.ReadCapacityUnits as number | undefined) ?? 0;
    write += table.WriteCapacityUnits ?? (c.WriteCapacityUnits as number | undefined) ?? 0;
    if (table.ReadCapacityUnits === undefined && table.WriteCapacityUnits === undefined) {
      // Only a total: attribute it to reads or writes by the command's kind (the caller knows).
      write += table.CapacityUnits ?? 0;
    }
    for (const [name, u] of Object.entries(
      (c.GlobalSecondaryIndexes ?? {}) as Record<string, { CapacityUnits?: number }>,
    )) {
      index[name] = (index[name] ?? 0) + (u.CapacityUnits ?? 0);
    }
  }
  return { read, write, index };
}

/** Records, per operation, every call's units; `plain` reads images without being recorded. */
function recorder(client: DynamoDBClient, plain: DynamoDBClient, tableName: string) {
  let current: {
    calls: CallUnits[];
    images: Map<string, { first: Item | undefined; last: Item | undefined }>;
  } | null = null;
  const image = async (key: Key) =>
    (await plain.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (current && WITH_CAPACITY.has(command)) {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchReturnConsumedCapacity', priority: 'high' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const recording = current;
      const command = String(context.commandName);
      if (!recording || !WITH_CAPACITY.has(command)) return next(args);
      const input = args.input as Record<string, unknown>;
      const writes = writesOf(command, input);
      const before = await Promise.all(writes.map((w) => image(w.key)));
      let queryBytes = 0;
      if (command === 'QueryCommand') {
        const { ProjectionExpression: _p, Select: _s, ReturnConsumedCapacity: _r, ...query } = input;
        const again = await plain.send(new QueryCommand(query as never));
        queryBytes = (again.Items ?? []).reduce((n, item) => n + itemBytes(item), 0);
      }
      const readItem = command === 'GetItemCommand' ? await image(input.Key as Key) : undefined;
      const result = await next(args);
      const after = await Promise.all(writes.map((w) => image(w.key)));

      const computed: CallUnits['computed'] = { read: 0, write: 0, index: {} };
      writes.forEach((w, i) => {
        const was = before[i];
        const is = after[i];
        if (w.checkOnly) {
          computed.read += readUnits(itemBytes(was), true, true);
          return;
        }
        computed.write += writeUnits(Math.max(itemBytes(was), itemBytes(is)), w.transactional);
        for (const [name, n] of Object.entries(indexWriteUnits(was, is, INDEXES))) {
          computed.index[name] = (computed.index[name] ?? 0) + n;
        }
        const id = keyText(w.key);
        const seen = recording.images.get(id);
        recording.images.set(id, { first: seen ? seen.first : was, last: is });
        if (seen === undefined && sameItem(was, is)) recording.images.delete(id);
      });
      if (command === 'GetItemCommand') {
        computed.read += readUnits(itemBytes(readItem), input.ConsistentRead === true);
      } else if (command === 'QueryCommand') {
        computed.read += readUnits(queryBytes, input.ConsistentRead === true);
      }
      const output = (result as unknown as { output: Record<string, unknown> }).output;
      const reported = reportedOf(output);
      if (reported && command === 'GetItemCommand' && reported.write > 0 && reported.read === 0) {
        reported.read = reported.write;
        reported.write = 0;
      }
      if (reported && command === 'QueryCommand' && reported.write > 0 && reported.read === 0) {
        reported.read = reported.write;
        reported.write = 0;
      }
      recording.calls.push({
        command,
        computed,
        reported,
        single:
          writes.length <= 1 &&
          command !== 'TransactWriteItemsCommand' &&
          command !== 'BatchWriteItemCommand',
      });
      return result;
    },
    { step: 'build', name: 'benchRequestUnits' },
  );

  return {
    async measure(operation: string, run: () => Promise<void>): Promise<OperationUnits> {
      current = { calls: [], images: new Map() };
      try {
        await run();
      } finally {
        // current is read below
      }
      const { calls, images } = current;
      current = null;
      const written = [...images.entries()]
        .filter(([, { first, last }]) => !sameItem(first, last))
        .map(([item, { first, last }]) => ({ item, bytes: Math.max(itemBytes(first), itemBytes(last)) }));
      const sum = (f: (c: CallUnits) => number) => calls.reduce((n, c) => n + f(c), 0);
      const reportedCalls = calls.filter((c) => c.reported);
      return {
        operation,
        calls,
        read: sum((c) => c.computed.read),
        write: sum((c) => c.computed.write),
        indexWrite: sum((c) => Object.values(c.computed.index).reduce((a, b) => a + b, 0)),
        written,
        floorWrite: written.reduce((n, w) => n + writeUnits(w.bytes), 0),
        reportedTotal:
          reportedCalls.length > 0
            ? reportedCalls.reduce(
                (n, c) =>
                  n +
                  (c.reported?.read ?? 0) +
                  (c.reported?.write ?? 0) +
                  Object.values(c.reported?.index ?? {}).reduce((a, b) => a + b, 0),
                0,
              )
            : null,
      };
    },
  };
}

const DAY = 86_400_000;

export async function benchRequestUnits(): Promise<RequestUnitsBench> {
  const dynamo = await startDynamoLocal();
  const plain = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const tableName = `bench-units-${randomUUID().slice(0, 6)}`;
    process.env.TABLE_NAME ??= tableName;
    process.env.REFUND_QUEUE_URL ??= 'http://127.0.0.1:1/000000000000/refunds';
    process.env.PURGE_QUEUE_URL ??= 'http://127.0.0.1:1/000000000000/purge-work.fifo';
    process.env.AWS_REGION ??= LOCAL_REGION;
    process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    process.env.EVENT_BUS_NAME ??= 'bench-units';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    await createTable(dynamo.client, tableName);
    const rec = recorder(dynamo.client, plain, tableName);
    const table = tableRef({ tableName } as never, dynamo.client);
    const stores = apiStores(table);
    let now = Date.parse('2026-03-05T10:00:00.000Z');
    const clock = () => now;
    const enqueued: RefundMessage[] = [];
    const execution = {
      ...stores,
      queue: { enqueue: async (m: RefundMessage) => void enqueued.push(m) },
      holidays: [] as string[],
      onEnqueueFailure: () => undefined,
    };
    const [quote, unsubscribe, cancelRenewal, ingest, processor, publisher] = await Promise.all([
      import('#functions/quote.ts'),
      import('#functions/unsubscribe.ts'),
      import('#functions/cancel-renewal.ts'),
      import('#functions/ingest.ts'),
      import('#functions/refund-processor.ts'),
      import('#functions/event-publisher.ts'),
    ]);
    const handlers = {
      quote: quote.createHandler({ ...stores, holidays: [] }, clock),
      unsubscribe: unsubscribe.createHandler(execution, clock),
      'cancel-renewal': cancelRenewal.createHandler(execution, clock),
      ingest: ingest.createHandler(stores, clock),
    } as Record<string, (e: unknown, c: unknown) => Promise<APIGatewayProxyStructuredResultV2>>;
    const call = async (
      method: string,
      url: string,
      account: string,
      body: unknown,
      headers: Record<string, string> = {},
      internal = false,
    ) => {
      const match = matchRoute(method, url);
      if (!match) throw new Error(`no route for ${method} ${url}`);
      const event = toApiEvent(
        {
          method,
          url,
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          sourceIp: '127.0.0.1',
          protocol: 'HTTP/1.1',
          requestId: randomUUID(),
          now,
        },
        match,
        jwtAuthorizer({ sub: account, ...(internal ? { scope: INTERNAL_SCOPE } : {}) }),
      );
      const handler = handlers[match.route.fn];
      if (!handler) throw new Error(`no handler for ${match.route.fn}`);
      const result = await handler(event, lambdaContext(match.route.fn, 10_000, LOCAL_REGION));
      return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? '{}') };
    };
    const expect = (answer: { status: number; body: unknown }, status: number) => {
      if (answer.status !== status)
        throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body as Record<string, string>;
    };
    const at = (ms: number) => new Date(ms).toISOString();
    const ingestOrder = (account: string, instanceId: string, order: Record<string, unknown>) =>
      call(
        'POST',
        '/internal/orders',
        'billing',
        {
          accountId: account,
          instanceId,
          product: 'cloud-firewall',
          edition: 'Enterprise',
          billingMethod: 'SUBSCRIPTION',
          currency: 'USD',
          order: { voucherPaid: 1000, paymentMethod: { type: 'CARD', reference: 'card-4242' }, ...order },
        },
        {},
        true,
      ).then((a) => expect(a, 201));

    const operations: OperationUnits[] = [];
    // Quote and unsubscribe: an instance bought a day ago (FULL_REFUND, the quota read and used).
    const account = 'acct-units';
    await ingestOrder(account, 'i-units', {
      orderId: 'o-new',
      type: 'NEW',
      paidAt: at(now - DAY),
      periodStart: at(now - DAY),
      periodEnd: at(now + 364 * DAY),
      cashPaid: 99_900,
    });
    let quoteBody: Record<string, string> = {};
    operations.push(
      await rec.measure('quote', async () => {
        quoteBody = expect(
          await call('POST', '/instances/i-units/refund-quotes', account, { kind: 'UNSUBSCRIBE' }),
          201,
        );
      }),
    );
    operations.push(
      await rec.measure('unsubscribe', async () => {
        expect(
          await call(
            'POST',
            '/instances/i-units/unsubscriptions',
            account,
            {
              quoteId: quoteBody.quoteId,
              refundType: quoteBody.refundType,
              confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
              reason: { code: 'NO_LONGER_NEEDED' },
            },
            { 'idempotency-key': 'units-unsubscribe' },
          ),
          202,
        );
      }),
    );

    // Renewal cancellation: a renewal paid yesterday that starts in 20 days.
    const end = Math.floor((now + 20 * DAY) / 1000) * 1000;
    await ingestOrder(account, 'i-renew', {
      orderId: 'o-r-new',
      type: 'NEW',
      paidAt: at(now - 10 * DAY),
      periodStart: at(now - 10 * DAY),
      periodEnd: at(end),
      cashPaid: 29_900,
    });
    await ingestOrder(account, 'i-renew', {
      orderId: 'o-r-renew',
      type: 'RENEW',
      paidAt: at(now - DAY),
      periodStart: at(end),
      periodEnd: at(end + 30 * DAY),
      cashPaid: 27_900,
    });
    const renewalQuote = expect(
      await call('POST', '/instances/i-renew/refund-quotes', account, { kind: 'CANCEL_RENEWAL' }),
      201,
    );
    operations.push(
      await rec.measure('renewal cancellation', async () => {
        expect(
          await call(
            'POST',
            '/instances/i-renew/renewal-cancellations',
            account,
            {
              quoteId: renewalQuote.quoteId,
              updatedExpirationTime: renewalQuote.updatedExpirationTime,
              confirmations: { rulesAndAmountConfirmed: true },
            },
            { 'idempotency-key': 'units-cancel' },
          ),
          202,
        );
      }),
    );

    // Settle a line: the processor on the unsubscription's order (one line, to the card).
    const settle = processor.createRefundProcessorHandler({
      orders: new DynamoSettlementStore(table),
      provider: new PaymentSimulator(),
      clock: { now: clock },
      logger: {
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
        addContext: () => undefined,
      },
      metrics: {
        addMetric: () => undefined,
        hasStoredMetrics: () => false,
        publishStoredMetrics: () => undefined,
      },
    });
    const message = enqueued[0];
    if (!message) throw new Error('the unsubscription enqueued no refund');
    const sqsEvent: SQSEvent = {
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r-1',
          body: JSON.stringify(message),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: '0',
            SenderId: 's',
            ApproximateFirstReceiveTimestamp: '0',
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:refunds',
          awsRegion: LOCAL_REGION,
        },
      ],
    };
    operations.push(
      await rec.measure('settle a line (one-line order, completed)', async () => {
        const answer = await settle(sqsEvent);
        if (answer.batchItemFailures.length > 0) throw new Error('the refund did not settle');
      }),
    );

    // Purge one kind: the unsubscribed instance's log data at its deadline, by a worker on its shard.
    const instance = unmarshall(
      (
        await plain.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: `ACCT#${account}` }, sk: { S: 'INST#i-units' } },
          }),
        )
      ).Item ?? {},
    ) as { retention: { logData: { purgeAt: number } } };
    const logAt = instance.retention.logData.purgeAt;
    now = logAt;
    const beforePurge = (
      await plain.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: `ACCT#${account}` }, sk: { S: 'INST#i-units' } },
        }),
      )
    ).Item;
    operations.push(
      await rec.measure('purge one kind', async () => {
        const summary = await purgeRetention(
          { purges: new DynamoPurgeStore(table), data: new DynamoRetainedDataStore(table) },
          { now: logAt, shard: dueShardOf(account, 'i-units') },
        );
        if (summary.purged !== 1) throw new Error(`expected one purge, got ${JSON.stringify(summary)}`);
      }),
    );
    const afterPurge = (
      await plain.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: `ACCT#${account}` }, sk: { S: 'INST#i-units' } },
        }),
      )
    ).Item;

    // Publish one event: the event publisher on the purge's stream record (no table call at all).
    const published: DomainEvent[] = [];
    const publish = publisher.createEventPublisherHandler({
      bus: {
        put: async (events) => {
          published.push(...events);
          return { failed: [] };
        },
      },
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
        addContext: () => undefined,
      },
    });
    const record: DynamoDBRecord = {
      eventID: '1',
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      dynamodb: {
        Keys: { pk: { S: `ACCT#${account}` }, sk: { S: 'INST#i-units' } },
        OldImage: beforePurge as never,
        NewImage: afterPurge as never,
        SequenceNumber: '100',
        ApproximateCreationDateTime: Math.floor(logAt / 1000),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    operations.push(
      await rec.measure('publish one event', async () => {
        await publish({ Records: [record] });
        if (published.length !== 1) throw new Error(`expected one event, got ${published.length}`);
      }),
    );

    // DynamoDB Local agrees with the rules on single-item calls' table units (its index units are
    // kept in the details, not checked: it counts an index key change as one write, the rules two).
    const singles = operations.flatMap((o) => o.calls).filter((c) => c.single && c.reported);
    const disagreeing = singles
      .filter((c) => {
        const r = c.reported;
        if (!r) return false;
        // A Query of an index reads the index: DynamoDB Local puts those units under the index.
        const reportedRead =
          c.command === 'QueryCommand' ? r.read + Object.values(r.index).reduce((x, y) => x + y, 0) : r.read;
        return Math.abs(reportedRead - c.computed.read) > 1e-9 || Math.abs(r.write - c.computed.write) > 1e-9;
      })
      .map(
        (c) => `${c.command}: computed ${JSON.stringify(c.computed)}, reported ${JSON.stringify(c.reported)}`,
      );
    return {
      operations,
      check: { calls: singles.length, agreeing: singles.length - disagreeing.length, disagreeing },
    };
  } finally {
    plain.destroy();
    await dynamo.stop();
  }
}

if (import.meta.main) {
  const result = await benchRequestUnits();
  for (const o of result.operations) {
    process.stdout.write(
      `${o.operation}: read ${o.read}, write ${o.write} + index ${o.indexWrite} (floor ${o.floorWrite}; DynamoDB Local ${o.reportedTotal ?? '–'}); ` +
        `${o.calls.map((c) => c.command.replace('Command', '')).join(', ')}; written ${o.written.map((w) => `${w.item.split(' ')[1]?.split('#')[0]}:${w.bytes}B`).join(', ')}\n`,
    );
  }
  process.stdout.write(`check: ${JSON.stringify(result.check, null, 2)}\n`);
}
