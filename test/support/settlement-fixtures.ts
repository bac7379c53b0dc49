/**
 * Seeds unsubscribe orders, unsubscribed instances, purge items and retained data in the
 * documented item shapes (what the unsubscribe transaction writes), and reads back what the
 * settlement and the purger leave behind.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '#adapters/dynamo/client.ts';
import { dueIndex, keys, pendingIndex, stripKeys } from '#adapters/dynamo/keys.ts';
import { dueBy, retentionDeadlines, toIso } from '#policy/index.ts';
import type { Destination, Millis, PaymentMethod } from '#shared/domain.ts';
import type {
  DataKind,
  InstanceRecord,
  LedgerEntry,
  UnsubscribeOrder,
  UnsubscribeOrderLine,
} from '#shared/model.ts';

export interface LineSeed {
  orderId?: string;
  amount: number;
  cashPaid?: number;
  destination?: Destination;
  method?: PaymentMethod;
}

export interface OrderSeed {
  accountId?: string;
  unsubscribeOrderId?: string;
  instanceId?: string;
  currency?: string;
  createdAt?: string;
  lines: LineSeed[];
  status?: UnsubscribeOrder['status'];
}

const card = (reference = 'card-4242'): PaymentMethod => ({ type: 'CARD', reference });

export const methods = {
  card: () => card(),
  closed: () => card('closed-4000'),
  flaky: () => card('flaky-4111'),
  balance: (): PaymentMethod => ({ type: 'BALANCE', reference: 'balance' }),
};

export function orderFixture(seed: OrderSeed): UnsubscribeOrder {
  const createdAt = Date.parse(seed.createdAt ?? '2026-03-05T10:00:00.000Z');
  const lines: UnsubscribeOrderLine[] = seed.lines.map((line, i) => {
    const method = line.method ?? card();
    return {
      orderId: line.orderId ?? `o-${i + 1}`,
      cashPaid: line.cashPaid ?? line.amount,
      voucherPaid: 0,
      usedDays: 0,
      termDays: 30,
      refundAmount: line.amount,
      destination:
        line.destination ?? (method.type === 'BALANCE' ? 'ACCOUNT_BALANCE' : 'ORIGINAL_PAYMENT_METHOD'),
      status: 'PENDING',
      settledTo: null,
      settledAt: null,
      paymentMethod: method,
    };
  });
  const status = seed.status ?? 'PENDING';
  return {
    unsubscribeOrderId: seed.unsubscribeOrderId ?? `uo-${randomUUID().slice(0, 12)}`,
    accountId: seed.accountId ?? `acct-${randomUUID().slice(0, 8)}`,
    instanceId: seed.instanceId ?? `i-${randomUUID().slice(0, 8)}`,
    type: 'UNSUBSCRIBE',
    refundType: 'PARTIAL_REFUND',
    quoteId: `q-${randomUUID().slice(0, 8)}`,
    status,
    currency: seed.currency ?? 'USD',
    refundAmount: lines.reduce((n, l) => n + l.refundAmount, 0),
    lines,
    reason: { code: 'OTHER', text: 'personal text that must never be logged' },
    createdAt,
    dueBy: dueBy(createdAt),
    settledAt: null,
    slaBreached: false,
    history: [{ status, at: createdAt }],
  };
}

/** Writes an unsubscribe order as the unsubscribe transaction does (on the pending index while PENDING). */
export async function seedOrder(
  table: TableRef,
  seed: OrderSeed | UnsubscribeOrder,
): Promise<UnsubscribeOrder> {
  const order = 'unsubscribeOrderId' in seed && 'history' in seed ? seed : orderFixture(seed as OrderSeed);
  await table.doc.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.unsubscribeOrder(order.accountId, order.unsubscribeOrderId),
        entity: 'UNSUBSCRIBE_ORDER',
        ...order,
        ...(order.status === 'PENDING' ? pendingIndex(order.unsubscribeOrderId, toIso(order.createdAt)) : {}),
      },
    }),
  );
  return order;
}

export async function readOrder(table: TableRef, accountId: string, id: string): Promise<UnsubscribeOrder> {
  const item = await readItem(table, keys.unsubscribeOrder(accountId, id));
  if (!item) throw new Error(`order ${id} not found`);
  return stripKeys<UnsubscribeOrder>(item);
}

export async function readItem(table: TableRef, key: { pk: string; sk: string }) {
  const result = await table.doc.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return result.Item;
}

/** The raw ledger items of an account (a key-range query, as the service reads them). */
export async function ledgerOf(table: TableRef, accountId: string): Promise<LedgerEntry[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':p': keys.ledgerPrefix },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => stripKeys<LedgerEntry>(item));
}

export interface InstanceSeed {
  accountId?: string;
  instanceId?: string;
  unsubscribedAt: string;
  /** Override the deadlines (default: SPEC 2.4 from `unsubscribedAt`). */
  configDataPurgeAt?: Millis;
  logDataPurgeAt?: Millis;
}

export interface UnsubscribedItemsOptions {
  accountId: string;
  instanceId: string;
  unsubscribedAt: Millis;
  configDataPurgeAt?: Millis;
  logDataPurgeAt?: Millis;
  /** Put the purge items on the due index (default true). */
  onIndex?: boolean;
  /** Bytes of filler in each retained-data item (default none). */
  dataPadding?: number;
}

/**
 * The items of an instance as the unsubscribe transaction leaves it: UNSUBSCRIBED with both
 * kinds RETAINED, a purge item per kind (on the due index), and its retained data items.
 * Shared by the tests (`seedUnsubscribedInstance`) and the purge benchmark (batch writes).
 */
export function unsubscribedInstanceItems(options: UnsubscribedItemsOptions): {
  instance: InstanceRecord;
  purgeItems: Record<string, unknown>[];
  otherItems: Record<string, unknown>[];
} {
  const { accountId, instanceId, unsubscribedAt } = options;
  const deadlines = retentionDeadlines(unsubscribedAt);
  const purgeAt: Record<DataKind, Millis> = {
    CONFIG: options.configDataPurgeAt ?? deadlines.configDataPurgeAt,
    LOG: options.logDataPurgeAt ?? deadlines.logDataPurgeAt,
  };
  const paidAt = unsubscribedAt - 10 * 86_400_000;
  const instance: InstanceRecord = {
    accountId,
    instanceId,
    product: 'waf',
    edition: 'Pro',
    billingMethod: 'SUBSCRIPTION',
    currency: 'USD',
    status: 'UNSUBSCRIBED',
    flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
    orders: [
      {
        orderId: `o-${instanceId}`,
        type: 'NEW',
        paidAt,
        periodStart: paidAt,
        periodEnd: paidAt + 365 * 86_400_000,
        cashPaid: 99_900,
        voucherPaid: 0,
        paymentMethod: card(),
        status: 'CANCELLED',
      },
    ],
    version: 3,
    unsubscribedAt,
    retention: {
      configData: { status: 'RETAINED', purgeAt: purgeAt.CONFIG, purgedAt: null },
      logData: { status: 'RETAINED', purgeAt: purgeAt.LOG, purgedAt: null },
    },
    createdAt: paidAt,
  };
  const purgeItems: Record<string, unknown>[] = [];
  const otherItems: Record<string, unknown>[] = [
    { ...keys.instance(accountId, instanceId), entity: 'INSTANCE', ...instance },
  ];
  for (const kind of ['CONFIG', 'LOG'] as const) {
    purgeItems.push({
      ...keys.purge(accountId, instanceId, kind),
      entity: 'PURGE',
      accountId,
      instanceId,
      kind,
      purgeAt: purgeAt[kind],
      ...(options.onIndex === false ? {} : dueIndex(accountId, instanceId, kind, toIso(purgeAt[kind]))),
    });
    otherItems.push({
      ...keys.retainedData(accountId, instanceId, kind),
      entity: 'RETAINED_DATA',
      accountId,
      instanceId,
      kind,
      data: {
        createdAt: paidAt,
        ...(options.dataPadding ? { settings: 'x'.repeat(options.dataPadding) } : {}),
      },
    });
  }
  return { instance, purgeItems, otherItems };
}

/** Writes `unsubscribedInstanceItems` one by one (ids default to fresh random ones). */
export async function seedUnsubscribedInstance(table: TableRef, seed: InstanceSeed): Promise<InstanceRecord> {
  const { instance, purgeItems, otherItems } = unsubscribedInstanceItems({
    accountId: seed.accountId ?? `acct-${randomUUID().slice(0, 8)}`,
    instanceId: seed.instanceId ?? `i-${randomUUID().slice(0, 8)}`,
    unsubscribedAt: Date.parse(seed.unsubscribedAt),
    ...(seed.configDataPurgeAt === undefined ? {} : { configDataPurgeAt: seed.configDataPurgeAt }),
    ...(seed.logDataPurgeAt === undefined ? {} : { logDataPurgeAt: seed.logDataPurgeAt }),
  });
  await Promise.all(
    [...otherItems, ...purgeItems].map((Item) =>
      table.doc.send(new PutCommand({ TableName: table.tableName, Item })),
    ),
  );
  return instance;
}

export async function readInstance(
  table: TableRef,
  accountId: string,
  instanceId: string,
): Promise<InstanceRecord> {
  const item = await readItem(table, keys.instance(accountId, instanceId));
  if (!item) throw new Error(`instance ${instanceId} not found`);
  return stripKeys<InstanceRecord>(item);
}

/** What is left of an instance's retention: data items and purge items per kind. */
export async function retentionItems(table: TableRef, accountId: string, instanceId: string) {
  const [configData, logData, configPurge, logPurge] = await Promise.all([
    readItem(table, keys.retainedData(accountId, instanceId, 'CONFIG')),
    readItem(table, keys.retainedData(accountId, instanceId, 'LOG')),
    readItem(table, keys.purge(accountId, instanceId, 'CONFIG')),
    readItem(table, keys.purge(accountId, instanceId, 'LOG')),
  ]);
  return {
    data: { CONFIG: configData !== undefined, LOG: logData !== undefined },
    purge: { CONFIG: configPurge, LOG: logPurge },
  };
}
