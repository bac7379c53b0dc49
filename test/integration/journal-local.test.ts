/**
 * The journal on the local runtime, through the API: accepted orders settle (to the card, to the
 * balance after a refusal, a renewal cancellation), the domain events reach the real journal
 * function, a move of the local clock past midnight UTC+8 runs the daily export, and
 * `GET /internal/journal/exports/{day}` links the files. The export balances (debits = credits
 * per currency), holds each money fact once, its customer-balance liability equals the account's
 * ledger, and exporting the day again — after losing the files and their record — gives the
 * same bytes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { journalKeys } from '#adapters/dynamo/journal.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.ts';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { BILLING_OFFSET_MS } from '#policy/time.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { postingOf } from '#shared/paperwork/journal.ts';
import { assertMatchesContract } from '#test/support/contract.ts';
import { watchTable } from '#test/support/events.ts';
import { journalExportKey } from '#use-cases/journal.ts';

const DAY = 86_400_000;
let runtime: LocalRuntime;
/** The UTC+8 day the test's facts happen on, and 10:00 of it (the local clock starts there). */
let day: string;
let dayStart: number;

beforeAll(async () => {
  // Tomorrow in UTC+8, so the whole test stays inside one billing day.
  dayStart = Math.ceil((Date.now() + BILLING_OFFSET_MS) / DAY) * DAY - BILLING_OFFSET_MS;
  day = new Date(dayStart + BILLING_OFFSET_MS).toISOString().slice(0, 10);
  const suffix = randomUUID().slice(0, 8);
  runtime = await startLocalRuntime({
    seed: true,
    // The schedules run when the clock moves (and never on their own during the test).
    schedule: true,
    scheduleIntervalMs: 3_600_000,
    clockAheadMs: dayStart + 10 * 3_600_000 - Date.now(),
    visibilityTimeoutSeconds: 1,
    tableName: `journal-${suffix}`,
    queuePrefix: `journal-${suffix}-`,
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    log: () => undefined,
  });
  watchTable(runtime.tableName);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

async function call(
  method: string,
  path: string,
  options: { json?: unknown; token?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? runtime.token(DEMO_ACCOUNT)}`,
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected freely
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as any };
}

const finance = () => runtime.token('finance', { internal: true });

async function unsubscribe(instanceId: string): Promise<string> {
  const quote = await call('POST', `/instances/${instanceId}/refund-quotes`, {
    json: { kind: 'UNSUBSCRIBE' },
  });
  expect(quote.status).toBe(201);
  const order = await call('POST', `/instances/${instanceId}/unsubscriptions`, {
    json: {
      quoteId: quote.body.quoteId,
      refundType: quote.body.refundType,
      confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
      reason: { code: 'NO_LONGER_NEEDED' },
    },
    headers: { 'idempotency-key': `journal-${instanceId}` },
  });
  expect(order.status).toBe(202);
  return order.body.unsubscribeOrderId;
}

async function cancelRenewal(instanceId: string): Promise<string> {
  const quote = await call('POST', `/instances/${instanceId}/refund-quotes`, {
    json: { kind: 'CANCEL_RENEWAL' },
  });
  expect(quote.status).toBe(201);
  const order = await call('POST', `/instances/${instanceId}/renewal-cancellations`, {
    json: {
      quoteId: quote.body.quoteId,
      updatedExpirationTime: quote.body.updatedExpirationTime,
      confirmations: { rulesAndAmountConfirmed: true },
    },
    headers: { 'idempotency-key': `journal-${instanceId}` },
  });
  expect(order.status).toBe(202);
  return order.body.unsubscribeOrderId;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The money facts on the bus (what the journal posts), once each. */
function moneyFacts(): DomainEvent[] {
  const byId = new Map(runtime.eventBus.events().map((e) => [e.id, e]));
  return [...byId.values()].filter((e) => postingOf(e) !== null);
}

interface ExportLine {
  day: string;
  entryId: string;
  fact: string;
  customerAccountId: string;
  account: string;
  currency: string;
  debit: number;
  credit: number;
}

async function download(format: 'jsonl' | 'csv') {
  const answer = await call('GET', `/internal/journal/exports/${day}?format=${format}`, { token: finance() });
  expect(answer.status).toBe(200);
  assertMatchesContract('GET /internal/journal/exports/{day}', 200, answer.body);
  const file = await fetch(answer.body.url);
  expect(file.status).toBe(200);
  const bytes = Buffer.from(await file.arrayBuffer());
  expect(bytes.length).toBe(answer.body.bytes);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(answer.body.sha256);
  return { answer: answer.body, bytes };
}

const sum = (lines: ExportLine[], side: 'debit' | 'credit') => lines.reduce((s, l) => s + l[side], 0);

describe('the journal on the local runtime', () => {
  let orders: string[] = [];
  let jsonl: Buffer;
  let csv: Buffer;

  it('posts every money fact of settled orders once, and exports the closed day at 00:30 UTC+8', async () => {
    orders = [
      await unsubscribe('demo-fresh'), // to the card
      await unsubscribe('demo-closed'), // the card refuses: to the balance
      await cancelRenewal('demo-renewing'),
    ];
    for (const id of orders)
      await until(`${id} settled`, async () => {
        const order = await call('GET', `/unsubscribe-orders/${id}`);
        return order.body.status === 'SUCCEEDED' ? true : undefined;
      });
    // Every order's last fact has reached the bus, and the journal has handled what it got.
    await until('the succeeded events', async () => {
      const succeeded = runtime.eventBus
        .events()
        .filter((e) => e.type === 'UnsubscribeOrderSucceeded')
        .map((e) => e.data.unsubscribeOrderId);
      return orders.every((id) => succeeded.includes(id)) ? true : undefined;
    });
    await runtime.paperwork.idle();

    // Not closed yet: no export.
    const early = await call('GET', `/internal/journal/exports/${day}`, { token: finance() });
    expect(early.status).toBe(404);
    expect(early.body.error.code).toBe('NOT_FOUND');

    // 00:30 UTC+8 the next day: the clock's move runs the schedules, the export among them.
    const moved = await call('POST', '/local/clock', {
      json: { at: new Date(dayStart + DAY + 30 * 60_000).toISOString() },
    });
    expect(moved.status).toBe(200);

    ({ bytes: jsonl } = await download('jsonl'));
    ({ bytes: csv } = await download('csv'));
    const lines = jsonl
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportLine);
    expect(lines.every((l) => l.day === day)).toBe(true);

    // Each money fact once: an entry (two lines) per fact, none missing, none twice.
    const facts = moneyFacts();
    expect(facts.map((f) => f.type)).toEqual(
      expect.arrayContaining(['UnsubscribeOrderAccepted', 'RefundLineSettled', 'AccountBalanceCredited']),
    );
    const entryIds = [...new Set(lines.map((l) => l.entryId))];
    expect(entryIds.sort()).toEqual(facts.map((f) => f.id).sort());
    expect(lines).toHaveLength(2 * facts.length);

    // Every entry balances, and so does the day, per currency.
    for (const id of entryIds) {
      const entry = lines.filter((l) => l.entryId === id);
      expect(sum(entry, 'debit'), id).toBe(sum(entry, 'credit'));
      expect(sum(entry, 'debit'), id).toBeGreaterThan(0);
    }
    for (const currency of new Set(lines.map((l) => l.currency))) {
      const of = lines.filter((l) => l.currency === currency);
      expect(sum(of, 'debit')).toBe(sum(of, 'credit'));
    }

    // The customer-balance liability (2200) is the account's ledger; refunds payable (2100) is
    // settled to zero; what was accepted is what the orders refunded.
    const balance = await call('GET', '/account/balance');
    const net = (account: string, currency: string) =>
      lines
        .filter(
          (l) => l.account === account && l.currency === currency && l.customerAccountId === DEMO_ACCOUNT,
        )
        .reduce((s, l) => s + l.credit - l.debit, 0);
    expect(balance.body.balances.length).toBeGreaterThan(0);
    for (const { currency, amount } of balance.body.balances as { currency: string; amount: number }[]) {
      expect(amount).toBeGreaterThan(0);
      expect(net('2200', currency)).toBe(amount);
      expect(net('2100', currency)).toBe(0);
    }
    let refunded = 0;
    for (const id of orders) refunded += (await call('GET', `/unsubscribe-orders/${id}`)).body.refundAmount;
    expect(
      sum(
        lines.filter((l) => l.account === '4000'),
        'debit',
      ),
    ).toBe(refunded);

    // The CSV holds the same lines (a header, CRLF rows).
    const rows = csv.toString('utf8').split('\r\n').filter(Boolean);
    expect(rows[0]).toMatch(/^day,entry_id,fact,/);
    expect(rows).toHaveLength(lines.length + 1);
  });

  it('exports the day again to the same bytes: a re-run, and a re-export after the files and their record are lost', async () => {
    const again = (await runtime.paperwork.exportJournal(
      new Date(dayStart + DAY + 31 * 60_000).toISOString(),
    )) as { written: number; unchanged: number; closedDay: string };
    expect(again).toMatchObject({ closedDay: day, written: 0, unchanged: 7 });

    // Lose the day's export entirely: both files and the record.
    const s3 = new S3Client({
      endpoint: inject('sqsEndpoint'),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });
    const dynamo = new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      for (const format of ['jsonl', 'csv'] as const)
        await s3.send(
          new DeleteObjectCommand({
            Bucket: runtime.paperwork.buckets.journalExports,
            Key: journalExportKey(day, format),
          }),
        );
      await documentClient(dynamo).send(
        new DeleteCommand({ TableName: runtime.tableName, Key: journalKeys.export(day) }),
      );
    } finally {
      s3.destroy();
      dynamo.destroy();
    }
    const lost = await call('GET', `/internal/journal/exports/${day}`, { token: finance() });
    expect(lost.status).toBe(404);

    // The next scheduled run (a clock move) writes it again: byte for byte the same files.
    const moved = await call('POST', '/local/clock', {
      json: { at: new Date(dayStart + DAY + 32 * 60_000).toISOString() },
    });
    expect(moved.status).toBe(200);
    expect((await download('jsonl')).bytes.equals(jsonl)).toBe(true);
    expect((await download('csv')).bytes.equals(csv)).toBe(true);
  });

  it('the export route is internal, and refuses a malformed day or format without answering a link', async () => {
    const customer = await call('GET', `/internal/journal/exports/${day}`);
    expect(customer.status).toBe(403);
    for (const path of [
      '/internal/journal/exports/2026-02-30',
      '/internal/journal/exports/yesterday',
      `/internal/journal/exports/${day}?format=xlsx`,
      `/internal/journal/exports/${day}?format=csv&extra=1`,
    ]) {
      const answer = await call('GET', path, { token: finance() });
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.code, path).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(answer.body), path).not.toContain('http');
    }
    const future = await call('GET', '/internal/journal/exports/2099-01-01', { token: finance() });
    expect(future.status).toBe(404);
  });
});
