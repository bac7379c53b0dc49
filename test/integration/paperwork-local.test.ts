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
const logLines: string[] = [];
const CUSTOMER_EMAIL = 'jane.customer@example.org';
let firstNumber: string | undefined;

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  runtime = await startLocalRuntime({
    seed: true,
    schedule: false,
    visibilityTimeoutSeconds: 1,
    tableName: `paperwork-${suffix}`,
    queuePrefix: `paperwork-${suffix}-`,
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    log: (line) => logLines.push(line),
  });
  watchTable(runtime.tableName);
  // Billing tells the service where the account's emails go.
  const contact = await fetch(`${runtime.url}/internal/accounts/${DEMO_ACCOUNT}/contact`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${runtime.token('billing', { internal: true })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ email: CUSTOMER_EMAIL, name: 'Jane Customer' }),
  });
  expect(contact.status).toBe(200);
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
    firstNumber = note.body.number;
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
    const firstNote = { body: { number: String(firstNumber) } };
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

interface Mail {
  id: string;
  to: string[];
  from: string;
  subject: string;
  notice: string;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; size: number }[];
}

/** The emails received so far that mention `unsubscribeOrderId`, once `count` have arrived. */
async function mailsAbout(unsubscribeOrderId: string, count: number): Promise<Mail[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await call('GET', '/local/mail');
    const mails = (answer.body.messages as Mail[]).filter((m) => m.text.includes(unsubscribeOrderId));
    if (mails.length >= count || Date.now() > deadline) {
      // A moment more, so an extra (duplicate) email would be seen too.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const again = await call('GET', '/local/mail');
      return (again.body.messages as Mail[]).filter((m) => m.text.includes(unsubscribeOrderId));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('customer emails on the local runtime', () => {
  it('a refused card: accepted, moved to the balance (why), completed with the credit note attached — once each', async () => {
    const { order, quote } = await unsubscribe('demo-closed');
    const mails = await mailsAbout(order.unsubscribeOrderId, 3);
    expect(mails.map((m) => m.notice).sort()).toEqual([
      'MOVED_TO_BALANCE',
      'ORDER_ACCEPTED',
      'REFUND_ARRIVED',
    ]);
    for (const mail of mails) {
      expect(mail.to).toEqual([CUSTOMER_EMAIL]);
      expect(mail.from).toBe('refunds@example.test');
      expect(mail.html).toContain('<p>');
    }
    const amount = `${Math.floor(quote.refundAmount / 100)}.${String(quote.refundAmount % 100).padStart(2, '0')} USD`;
    const accepted = mails.find((m) => m.notice === 'ORDER_ACCEPTED');
    expect(accepted?.subject).toBe(`Unsubscription accepted for demo-closed: ${amount} to be refunded`);
    expect(accepted?.text).toContain('Where the money goes:');
    expect(accepted?.text).toContain('Original payment method');
    expect(accepted?.text).toContain('Configuration data:');
    expect(accepted?.text).toContain('To restore the instance, renew it before these times');
    const moved = mails.find((m) => m.notice === 'MOVED_TO_BALANCE');
    expect(moved?.subject).toBe(`${amount} was credited to your account balance`);
    expect(moved?.text).toContain('because your original payment method refused the refund');
    const arrived = mails.find((m) => m.notice === 'REFUND_ARRIVED');
    expect(arrived?.text).toContain('Account balance');
    const note = await creditNote(order.unsubscribeOrderId);
    expect(arrived?.text).toContain(`Your credit note ${note.body.number} is attached`);
    expect(arrived?.attachments).toEqual([
      expect.objectContaining({ filename: `${note.body.number}.pdf`, contentType: 'application/pdf' }),
    ]);
    const sent = runtime.paperwork.mail
      .messages()
      .find((m) => m.notice === 'REFUND_ARRIVED' && m.text.includes(order.unsubscribeOrderId));
    const pdf = sent?.attachments[0]?.content ?? Buffer.alloc(0);
    expect(pdfText(new Uint8Array(pdf))).toContain(note.body.number);
  });

  it('a redelivered event sends nothing twice, and the address is never in a log line or an event', async () => {
    const { order } = await unsubscribe('demo-flaky');
    await mailsAbout(order.unsubscribeOrderId, 2);
    await runtime.paperwork.idle();
    const before = runtime.paperwork.mail.messages().length;
    const accepted = runtime.eventBus
      .events()
      .find(
        (e) =>
          e.type === 'UnsubscribeOrderAccepted' && e.data.unsubscribeOrderId === order.unsubscribeOrderId,
      );
    expect(accepted).toBeDefined();
    const { handler } = await import('#functions/notifier.ts');
    const { eventBridgeEvent } = await import('#infra/local/paperwork.ts');
    const again = await handler(eventBridgeEvent(accepted as never) as never);
    expect(again).toEqual({ outcome: 'DUPLICATE' });
    expect(runtime.paperwork.mail.messages().length).toBe(before);
    expect(logLines.join('\n')).not.toContain(CUSTOMER_EMAIL);
    expect(JSON.stringify(runtime.eventBus.events())).not.toContain(CUSTOMER_EMAIL);
  });

  it('the contact route is internal: a customer token is refused and nothing changes', async () => {
    const answer = await call('PUT', `/internal/accounts/${DEMO_ACCOUNT}/contact`, {
      json: { email: 'attacker@example.org' },
    });
    expect(answer.status).toBe(403);
    const bad = await fetch(`${runtime.url}/internal/accounts/${DEMO_ACCOUNT}/contact`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${runtime.token('billing', { internal: true })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ email: 'not an address' }),
    });
    expect(bad.status).toBe(400);
  });
});
