/**
 * The floor of figure 3: the DynamoDB and SQS calls each API operation *must* make, issued
 * directly with the same SDK clients against the same emulators, with items of the same
 * shape and size as the service writes (copied from what it wrote during warm-up). What the
 * API adds on top — HTTP, the local API Gateway (JWT, routing, event), middy, validation, the
 * policy, idempotency fingerprints, presenting — is the overhead the benchmark reports.
 *
 * Why these calls and no fewer (read from the use cases):
 * - quote (`createQuote`): the instance must be read (its orders and flags decide the quote,
 *   and its `product` names the quota item), then the year's quota (consistent reads: the
 *   quota is what decides FULL_REFUND), then the quote stored (it binds the amount). Three
 *   dependent round trips for the benchmark's instance, bought a day ago; outside the 5-day
 *   window the quota cannot matter and the service skips that read (two).
 * - unsubscribe (`unsubscribe` + `runIdempotent` + `loadQuoted`): the Idempotency-Key claimed
 *   first (a replay must not re-run anything), then the quote and the instance read in
 *   parallel, then ONE transaction (instance, unsubscribe order, quote used, quota, both
 *   purges, idempotency completion) so no race can refund twice, then the refund enqueued
 *   after the commit. Four dependent round trips.
 * - cancel-renewal (`cancelRenewal`): the same, with a four-item transaction (instance,
 *   unsubscribe order, quote used, idempotency completion). Four dependent round trips.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { dueIndex, keys, pendingIndex } from '#adapters/dynamo/keys.ts';

export type ApiOperation = 'quote' | 'unsubscribe' | 'cancel-renewal';

/** The calls each operation must make, in order; `‖` marks calls that can run in parallel. */
export const MUST_MAKE: Record<ApiOperation, readonly string[]> = {
  quote: [
    'DynamoDB GetItem instance (consistent)',
    'DynamoDB GetItem quota of the UTC+8 year (consistent)',
    'DynamoDB PutItem quote (condition: new)',
  ],
  unsubscribe: [
    'DynamoDB PutItem idempotency claim (condition: new, expired or lapsed)',
    'DynamoDB GetItem quote ‖ GetItem instance (consistent)',
    'DynamoDB TransactWriteItems: instance (version), unsubscribe order, quote used, quota, 2 purges, idempotency completion',
    'SQS SendMessage refund',
  ],
  'cancel-renewal': [
    'DynamoDB PutItem idempotency claim (condition: new, expired or lapsed)',
    'DynamoDB GetItem quote ‖ GetItem instance (consistent)',
    'DynamoDB TransactWriteItems: instance (version), unsubscribe order, quote used, idempotency completion',
    'SQS SendMessage refund',
  ],
};

export interface RawContext {
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  tableName: string;
  queueUrl: string;
}

type Item = Record<string, unknown>;

/** Items the service wrote for one operation, used as same-sized templates by the raw calls. */
export interface Templates {
  quote: Item;
  order: Item;
  idempotency: Item & { fingerprint: string; response: { statusCode: number; body: string } };
}

/** Reads an account's items (a key-range Query of one partition) and keeps one of each kind. */
export async function captureTemplates(ctx: RawContext, accountId: string): Promise<Templates> {
  const result = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId) },
      ConsistentRead: true,
    }),
  );
  const items = result.Items ?? [];
  const find = (entity: string) => {
    const item = items.find((i) => i.entity === entity);
    if (!item) throw new Error(`no ${entity} item written for ${accountId}`);
    return item;
  };
  return {
    quote: find('QUOTE'),
    order: find('UNSUBSCRIBE_ORDER'),
    idempotency: find('IDEMPOTENCY') as Templates['idempotency'],
  };
}

const LOCK_MS = 60_000;
const DAY_MS = 86_400_000;

function claimIdempotencyKey(
  ctx: RawContext,
  accountId: string,
  key: string,
  fingerprint: string,
  now: number,
) {
  const expiresAt = now + DAY_MS;
  return ctx.doc.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: {
        ...keys.idempotency(accountId, key),
        entity: 'IDEMPOTENCY',
        fingerprint,
        status: 'IN_PROGRESS',
        lockedUntil: now + LOCK_MS,
        expiresAt,
        ttl: Math.ceil(expiresAt / 1000),
      },
      ConditionExpression:
        'attribute_not_exists(pk) OR expiresAt <= :now OR (#status = :inProgress AND lockedUntil <= :now AND fingerprint = :fp)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': now, ':inProgress': 'IN_PROGRESS', ':fp': fingerprint },
    }),
  );
}

async function readQuoteAndInstance(
  ctx: RawContext,
  target: RawTarget,
): Promise<{ quote: Item; instance: Item }> {
  const [quote, instance] = await Promise.all([
    ctx.doc.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: keys.quote(target.accountId, target.quoteId),
        ConsistentRead: true,
      }),
    ),
    ctx.doc.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: keys.instance(target.accountId, target.instanceId),
        ConsistentRead: true,
      }),
    ),
  ]);
  if (!quote.Item || !instance.Item) throw new Error('raw fixture missing');
  return { quote: quote.Item, instance: instance.Item };
}

function instancePut(ctx: RawContext, instance: Item, changes: Item) {
  const version = instance.version as number;
  return {
    Put: {
      TableName: ctx.tableName,
      Item: { ...instance, ...changes, version: version + 1 },
      ConditionExpression: 'version = :v AND #status = :active',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':v': version, ':active': 'ACTIVE' },
    },
  };
}

function orderPut(ctx: RawContext, templates: Templates, target: RawTarget, orderId: string, now: number) {
  return {
    Put: {
      TableName: ctx.tableName,
      Item: {
        ...templates.order,
        ...keys.unsubscribeOrder(target.accountId, orderId),
        unsubscribeOrderId: orderId,
        accountId: target.accountId,
        instanceId: target.instanceId,
        quoteId: target.quoteId,
        createdAt: now,
        ...pendingIndex(orderId, new Date(now).toISOString()),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function quoteUse(ctx: RawContext, target: RawTarget, orderId: string, now: number) {
  return {
    Update: {
      TableName: ctx.tableName,
      Key: keys.quote(target.accountId, target.quoteId),
      UpdateExpression: 'SET usedAt = :now, unsubscribeOrderId = :orderId',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(usedAt) OR usedAt = :null)',
      ExpressionAttributeValues: { ':now': now, ':orderId': orderId, ':null': null },
    },
  };
}

function idempotencyComplete(ctx: RawContext, templates: Templates, target: RawTarget) {
  return {
    Update: {
      TableName: ctx.tableName,
      Key: keys.idempotency(target.accountId, target.idempotencyKey),
      UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockedUntil',
      ConditionExpression: '#status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: {
        ':completed': 'COMPLETED',
        ':inProgress': 'IN_PROGRESS',
        ':response': templates.idempotency.response,
      },
    },
  };
}

function enqueue(ctx: RawContext, accountId: string, unsubscribeOrderId: string) {
  return ctx.sqs.send(
    new SendMessageCommand({
      QueueUrl: ctx.queueUrl,
      MessageBody: JSON.stringify({ accountId, unsubscribeOrderId }),
    }),
  );
}

/** What a raw operation acts on: an instance (and, to execute, its quote and a fresh key). */
export interface RawTarget {
  accountId: string;
  instanceId: string;
  quoteId: string;
  idempotencyKey: string;
}

/** Quote: read the instance, read the year's quota, store a quote like the one the service stores. */
export async function rawQuote(
  ctx: RawContext,
  templates: Templates,
  target: Pick<RawTarget, 'accountId' | 'instanceId'>,
) {
  const now = Date.now();
  const instance = await ctx.doc.send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: keys.instance(target.accountId, target.instanceId),
      ConsistentRead: true,
    }),
  );
  const product = String(instance.Item?.product);
  const year = new Date(now + 8 * 3_600_000).getUTCFullYear();
  await ctx.doc.send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: keys.quota(target.accountId, product, year),
      ConsistentRead: true,
      ProjectionExpression: 'pk',
    }),
  );
  const quoteId = `q-${randomUUID()}`;
  await ctx.doc.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: {
        ...templates.quote,
        ...keys.quote(target.accountId, quoteId),
        quoteId,
        accountId: target.accountId,
        instanceId: target.instanceId,
        asOf: now,
        expiresAt: now + 15 * 60_000,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Unsubscribe: claim the key, read quote ‖ instance, one transaction, enqueue. */
export async function rawUnsubscribe(ctx: RawContext, templates: Templates, target: RawTarget) {
  const now = Date.now();
  await claimIdempotencyKey(
    ctx,
    target.accountId,
    target.idempotencyKey,
    templates.idempotency.fingerprint,
    now,
  );
  const { quote, instance } = await readQuoteAndInstance(ctx, target);
  const orderId = `uo-${randomUUID()}`;
  const orders = instance.orders as Item[];
  const product = String(instance.product);
  const quotaYear = (quote.quote as { quotaYear: number }).quotaYear;
  const configPurgeAt = now + 7 * DAY_MS;
  const logPurgeAt = now + DAY_MS;
  const purge = (kind: 'CONFIG' | 'LOG', purgeAt: number) => ({
    Put: {
      TableName: ctx.tableName,
      Item: {
        ...keys.purge(target.accountId, target.instanceId, kind),
        entity: 'PURGE',
        accountId: target.accountId,
        instanceId: target.instanceId,
        kind,
        purgeAt,
        ...dueIndex(target.accountId, target.instanceId, kind, new Date(purgeAt).toISOString()),
      },
    },
  });
  await ctx.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        instancePut(ctx, instance, {
          status: 'UNSUBSCRIBED',
          orders: orders.map((o) => ({ ...o, status: 'CANCELLED' })),
          unsubscribedAt: now,
          retention: {
            configData: { status: 'RETAINED', purgeAt: configPurgeAt, purgedAt: null },
            logData: { status: 'RETAINED', purgeAt: logPurgeAt, purgedAt: null },
          },
        }),
        orderPut(ctx, templates, target, orderId, now),
        quoteUse(ctx, target, orderId, now),
        {
          Put: {
            TableName: ctx.tableName,
            Item: {
              ...keys.quota(target.accountId, product, quotaYear),
              entity: 'QUOTA',
              accountId: target.accountId,
              product,
              year: quotaYear,
              instanceId: target.instanceId,
              unsubscribeOrderId: orderId,
              usedAt: now,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        purge('CONFIG', configPurgeAt),
        purge('LOG', logPurgeAt),
        idempotencyComplete(ctx, templates, target),
      ],
    }),
  );
  await enqueue(ctx, target.accountId, orderId);
}

/** Cancel renewal: claim the key, read quote ‖ instance, one transaction, enqueue. */
export async function rawCancelRenewal(ctx: RawContext, templates: Templates, target: RawTarget) {
  const now = Date.now();
  await claimIdempotencyKey(
    ctx,
    target.accountId,
    target.idempotencyKey,
    templates.idempotency.fingerprint,
    now,
  );
  const { quote, instance } = await readQuoteAndInstance(ctx, target);
  const orderId = `uo-${randomUUID()}`;
  const cancelled = new Set((quote.quote as { cancelledOrderIds: string[] }).cancelledOrderIds);
  const orders = instance.orders as Item[];
  await ctx.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        instancePut(ctx, instance, {
          orders: orders.map((o) => (cancelled.has(String(o.orderId)) ? { ...o, status: 'CANCELLED' } : o)),
        }),
        orderPut(ctx, templates, target, orderId, now),
        quoteUse(ctx, target, orderId, now),
        idempotencyComplete(ctx, templates, target),
      ],
    }),
  );
  await enqueue(ctx, target.accountId, orderId);
}
