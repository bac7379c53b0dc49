/**
 * Paperwork on the local runtime, end to end: an unsubscription → its UnsubscribeOrderAccepted
 * event on the local bus → the real credit-notes function → a numbered PDF on fauxqs's S3 →
 * `GET /unsubscribe-orders/{id}/credit-note` answers a short-lived link that downloads it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { watchTable } from '#test/support/events.ts';
import { pdfText } from '#test/support/paperwork.ts';

let runtime: LocalRuntime;

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  runtime = await startLocalRuntime({
    seed: true,
    schedule: false,
    visibilityTimeoutSeconds: 1,
    tableName: `paperwork-${suffix}`,
    queuePrefix: `paperwork-${suffix}-`,
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    log: () => {},
  });
  watchTable(runtime.tableName);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

async function call(
  method: string,
  path: string,
  options: { json?: unknown; account?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${runtime.token(options.account ?? DEMO_ACCOUNT)}`,
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected freely
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as any };
}

async function unsubscribe(instanceId: string) {
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
    headers: { 'idempotency-key': `paperwork-${instanceId}` },
  });
  expect(order.status).toBe(202);
  return { quote: quote.body, order: order.body };
}

/** Polls the credit-note route until the note is issued (its function runs off the request path). */
async function creditNote(unsubscribeOrderId: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await call('GET', `/unsubscribe-orders/${unsubscribeOrderId}/credit-note`);
    if (answer.status === 200 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('credit notes on the local runtime', () => {
  it('an unsubscription gets a numbered credit note whose link downloads its PDF; another account gets 404', async () => {
    const { quote, order } = await unsubscribe('demo-fresh');
    const note = await creditNote(order.unsubscribeOrderId);
    expect(note.status).toBe(200);
    expect(note.body).toMatchObject({
      unsubscribeOrderId: order.unsubscribeOrderId,
      number: expect.stringMatching(/^CN-\d{4}-\d{6}$/),
      currency: 'USD',
      refundAmount: quote.refundAmount,
    });
    expect(Date.parse(note.body.urlExpiresAt) - Date.now()).toBeLessThanOrEqual(300_000);

    const download = await fetch(note.body.url);
    expect(download.status).toBe(200);
    const text = pdfText(new Uint8Array(await download.arrayBuffer()));
    expect(text).toContain(note.body.number);
    expect(text).toContain('Example Cloud Ltd. (local)');
    expect(text).toContain('Instance: demo-fresh');
    const total = `${Math.floor(quote.refundAmount / 100)}.${String(quote.refundAmount % 100).padStart(2, '0')} USD`;
    expect(text).toContain(`Total refund (USD)`);
    expect(text).toContain(total);

    const stranger = await call('GET', `/unsubscribe-orders/${order.unsubscribeOrderId}/credit-note`, {
      account: 'acct-stranger',
    });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('NOT_FOUND');
    expect(JSON.stringify(stranger.body)).not.toContain(note.body.number);
  });

  it('a renewal cancellation gets the next number of the series', async () => {
    const first = await unsubscribe('demo-closed');
    const firstNote = await creditNote(first.order.unsubscribeOrderId);
    const quote = await call('POST', '/instances/demo-renewing/refund-quotes', {
      json: { kind: 'CANCEL_RENEWAL' },
    });
    const order = await call('POST', '/instances/demo-renewing/renewal-cancellations', {
      json: {
        quoteId: quote.body.quoteId,
        updatedExpirationTime: quote.body.updatedExpirationTime,
        confirmations: { rulesAndAmountConfirmed: true },
      },
      headers: { 'idempotency-key': 'paperwork-renewal' },
    });
    expect(order.status).toBe(202);
    const note = await creditNote(order.body.unsubscribeOrderId);
    expect(note.status).toBe(200);
    const sequence = (n: string) => Number(n.slice(-6));
    expect(sequence(note.body.number)).toBe(sequence(firstNote.body.number) + 1);
    const text = pdfText(new Uint8Array(await (await fetch(note.body.url)).arrayBuffer()));
    expect(text).toContain('Renewal cancellation: refund of renewals not started');
  });
});
