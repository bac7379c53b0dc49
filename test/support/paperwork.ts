/**
 * What the paperwork tests share: a fresh table on DynamoDB Local, buckets on fauxqs's S3, the
 * real credit-note adapters over them, generated accepted orders with their instances, and
 * `pdftotext` (poppler) to read rendered PDFs back.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { documentClient, type TableRef } from '#adapters/dynamo/client.ts';
import { DynamoCreditNoteStore } from '#adapters/dynamo/credit-notes.ts';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import { S3DocumentStore } from '#adapters/s3-documents.ts';
import { createTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.ts';
import type { Destination, Millis } from '#shared/domain.ts';
import type { InstanceRecord, UnsubscribeOrder } from '#shared/model.ts';
import type { Issuer } from '#shared/paperwork/credit-note.ts';
import type { IssueCreditNoteDeps } from '#use-cases/issue-credit-note.ts';

export const TEST_ISSUER: Issuer = {
  id: 'test',
  legalName: 'Example Cloud Ltd.',
  address: ['1 Harbour Road', 'Wan Chai, Hong Kong'],
  taxId: 'HK-12345678',
};

export async function paperworkTables() {
  const dynamo = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const s3 = new S3Client({
    endpoint: inject('sqsEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  const suffix = randomUUID().slice(0, 8);
  const tableName = `paper-${suffix}`;
  await createTable(dynamo, tableName, { stream: false });
  const bucket = `paper-${suffix}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const table: TableRef = { doc: documentClient(dynamo), tableName };
  return {
    table,
    s3,
    bucket,
    notes: new DynamoCreditNoteStore(table),
    documents: new S3DocumentStore(s3, bucket),
    async scan(): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await table.doc.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
  };
}

const DAY = 86_400_000;

/**
 * An accepted order and its instance: a NEW order in effect (partially refunded), and, for odd
 * `n`, a renewal not started (refunded whole, with a voucher part that is not).
 */
export function acceptedOrder(
  n: number,
  accountId = 'acct-1',
  createdAt = Date.parse('2026-03-05T10:00:00.000Z'),
) {
  const instanceId = `i-${n}`;
  const start = createdAt - 10 * DAY;
  const newCash = 3100 + n;
  const used = 11;
  const term = 31;
  const newRefund = Math.floor((newCash * (term - used)) / term);
  const orders: InstanceRecord['orders'] = [
    {
      orderId: `${instanceId}-new`,
      type: 'NEW',
      paidAt: start,
      periodStart: start,
      periodEnd: start + term * DAY,
      cashPaid: newCash,
      voucherPaid: 100,
      paymentMethod: { type: 'CARD', reference: 'card-4242' },
      status: 'PAID',
    },
  ];
  const lines: UnsubscribeOrder['lines'] = [
    {
      orderId: `${instanceId}-new`,
      cashPaid: newCash,
      voucherPaid: 100,
      usedDays: used,
      termDays: term,
      refundAmount: newRefund,
      destination: 'ORIGINAL_PAYMENT_METHOD',
      status: 'PENDING',
      settledTo: null,
      settledAt: null,
      paymentMethod: { type: 'CARD', reference: 'card-4242' },
    },
  ];
  if (n % 2 === 1) {
    const renewal = start + term * DAY;
    orders.push({
      orderId: `${instanceId}-renew`,
      type: 'RENEW',
      paidAt: createdAt - DAY,
      periodStart: renewal,
      periodEnd: renewal + 30 * DAY,
      cashPaid: 2800,
      voucherPaid: 200,
      paymentMethod: { type: 'BALANCE', reference: 'balance' },
      status: 'PAID',
    });
    lines.push({
      orderId: `${instanceId}-renew`,
      cashPaid: 2800,
      voucherPaid: 200,
      usedDays: 0,
      termDays: 30,
      refundAmount: 2800,
      destination: 'ACCOUNT_BALANCE' as Destination,
      status: 'PENDING',
      settledTo: null,
      settledAt: null,
      paymentMethod: { type: 'BALANCE', reference: 'balance' },
    });
  }
  const refundAmount = lines.reduce((sum, l) => sum + l.refundAmount, 0);
  const instance: InstanceRecord = {
    accountId,
    instanceId,
    product: 'waf',
    edition: 'Pro',
    billingMethod: 'SUBSCRIPTION',
    currency: 'USD',
    status: 'UNSUBSCRIBED',
    flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
    orders,
    version: 3,
    unsubscribedAt: createdAt,
    retention: null,
    createdAt: start,
  };
  const order: UnsubscribeOrder = {
    unsubscribeOrderId: `uo-${n}`,
    accountId,
    instanceId,
    type: 'UNSUBSCRIBE',
    refundType: 'PARTIAL_REFUND',
    quoteId: `q-${n}`,
    status: 'PENDING',
    currency: 'USD',
    refundAmount,
    lines,
    reason: null,
    createdAt: createdAt + n,
    dueBy: createdAt + 3 * DAY,
    settledAt: null,
    slaBreached: false,
    history: [],
  };
  return { order, instance };
}

/** Order and instance lookups over generated fixtures (the inputs; the stores under test are real). */
export function fixtureSources(fixtures: ReturnType<typeof acceptedOrder>[]) {
  const orders = new Map(
    fixtures.map((f) => [`${f.order.accountId}|${f.order.unsubscribeOrderId}`, f.order]),
  );
  const instances = new Map(
    fixtures.map((f) => [`${f.instance.accountId}|${f.instance.instanceId}`, f.instance]),
  );
  return {
    unsubscribeOrders: { get: async (a: string, id: string) => orders.get(`${a}|${id}`) ?? null },
    instances: { get: async (a: string, id: string) => instances.get(`${a}|${id}`) ?? null },
  };
}

export function issueDeps(
  env: Awaited<ReturnType<typeof paperworkTables>>,
  fixtures: ReturnType<typeof acceptedOrder>[],
  clock: () => Millis,
): IssueCreditNoteDeps {
  return {
    notes: env.notes,
    documents: env.documents,
    render: renderCreditNotePdf,
    ...fixtureSources(fixtures),
    issuer: TEST_ISSUER,
    clock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** The text of a PDF, as poppler's `pdftotext -layout` reads it. */
export function pdfText(pdf: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
