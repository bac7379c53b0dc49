/// <reference lib="dom" />
/**
 * The operator console (`/ops/`) in headless Chromium against the real local runtime (real
 * handlers, the refund poller, settlement through a payment provider the test can take down):
 * an order stuck in NEEDS_ATTENTION found in the queue and fixed end to end from the page; a
 * goodwill credit above the four-eyes limit requested by one person, not approvable by her,
 * approved by a second, executed once; a double click (after a network error) on an action's
 * confirmation giving one effect; a resolution done with the keyboard only; axe-core with no
 * violations on every screen and dialog; the phone width. The tests run in order and build on
 * each other's data.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { orderBody } from '#test/support/api.ts';
import { axeViolations, launchBrowser, tabTo, waitForText } from '#test/support/browser.ts';
import {
  type Caller,
  type Json,
  runtimeCaller,
  switchableSettlement,
  unsubscribeInstance,
  untilOrderStatus,
} from '#test/support/ops-console.ts';

const SECRET = 'ops-console-browser-secret';
let runtime: LocalRuntime;
let browser: Browser;
/** Ann: operator and approver. Bob: a second approver, in another tab (another session). */
let ann: Page;
let bob: Page;

const settlement = switchableSettlement();
const { simulator } = settlement;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    schedule: false,
    visibilityTimeoutSeconds: 1,
    jwtSecret: SECRET,
    tableName: 'ops-console-browser',
    queuePrefix: 'ops-console-browser-',
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    handlers: { 'refund-processor': settlement.processor },
    log: () => {},
  });
  call = runtimeCaller(runtime);
  browser = await launchBrowser();
  ann = await browser.newPage();
  bob = await browser.newPage();
  for (const page of [ann, bob]) await page.setViewport({ width: 1200, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

let call: Caller;

const asOperator = { operator: 'carol' };
const DAY = 86_400_000;

/** A customer with one active USD instance paid by card four days ago. */
async function customer(cashPaid = 5000): Promise<{ account: string; instanceId: string }> {
  const account = `acct-${randomUUID().slice(0, 8)}`;
  const instanceId = `i-${randomUUID().slice(0, 8)}`;
  const body = orderBody(account, instanceId, {
    orderId: `o-${randomUUID().slice(0, 8)}`,
    paidAt: new Date(Date.now() - 4 * DAY).toISOString(),
    periodEnd: new Date(Date.now() + 300 * DAY).toISOString(),
    cashPaid,
  });
  const ingested = await call('POST', '/internal/orders', { internal: true }, body);
  expect(ingested.status).toBe(201);
  return { account, instanceId };
}

const unsubscribe = (account: string, instanceId: string) => unsubscribeInstance(call, account, instanceId);
const untilStatus = (id: string, status: string) => untilOrderStatus(call, id, status);

async function opsOrder(id: string) {
  const answer = await call('GET', `/ops/orders/${id}`, asOperator);
  expect(answer.status).toBe(200);
  return answer.body as unknown as {
    accountId: string;
    order: { status: string; refundAmount: number };
    lines: { orderId: string; status: string; refundAmount: number; externalReference: string | null }[];
    history: { note: string | null; receiveCount: number | null }[];
    audit: { action: string; actor: string; note: string }[];
  };
}

async function balanceOf(account: string) {
  const answer = await call('GET', `/ops/accounts/${account}/balance`, asOperator);
  const balances = answer.body.balances as { currency: string; amount: number }[];
  const entries = answer.body.entries as { cause: string; amount: number }[];
  return { usd: balances.find((b) => b.currency === 'USD')?.amount ?? 0, entries };
}

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await axeViolations(page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

/** Codes that must not reach the operators' eyes: they read words. */
const CODES =
  /\b(PENDING|PROCESSING|SUCCEEDED|NEEDS_ATTENTION|SUBMITTED|SETTLED|ORIGINAL_PAYMENT_METHOD|ACCOUNT_BALANCE|SETTLED_EXTERNALLY|CREDITED_TO_BALANCE|GOODWILL_CREDIT|CORRECTING_DEBIT|APPROVAL_[A-Z]+|LINE_RESOLVED|SETTLEMENT_RETRIED|BALANCE_ADJUSTED|PROVIDER_OUTAGE|REFUNDED_OUTSIDE|DEAD_LETTERED|OPERATOR_RETRY)\b/;

async function expectPlainWords(page: Page, screen: string): Promise<void> {
  const text = await page.$eval('main', (m) => m.textContent ?? '');
  expect({ screen, code: CODES.exec(text)?.[0] }).toEqual({ screen, code: undefined });
}

async function expectZonedTimes(page: Page, screen: string): Promise<void> {
  const times = await page.$$eval('main time', (ts) => ts.map((t) => t.textContent ?? ''));
  expect(times.length, screen).toBeGreaterThan(0);
  expect(
    times.filter((t) => !/(UTC|GMT)/.test(t)),
    screen,
  ).toEqual([]);
}

const heading = (page: Page) => page.$eval('h1', (h) => h.textContent);
const mainText = (page: Page) => page.$eval('main', (m) => m.textContent ?? '');

/** Two tabs: the one in the background gets no animation frames (clicks wait for them), so bring it up. */
async function visit(page: Page, hash: string, selector: string): Promise<void> {
  await page.bringToFront();
  if (new URL(page.url()).hash === hash) await page.reload();
  else await page.goto(`${runtime.url}/ops/${hash}`);
  await page.waitForSelector(selector);
}

async function signIn(page: Page, name: string, approver: boolean): Promise<void> {
  await page.bringToFront();
  await page.goto(`${runtime.url}/ops/`);
  await page.waitForSelector('body[data-ready=true]');
  await page.$eval('input[name=operator]', (i) => {
    (i as HTMLInputElement).value = '';
  });
  await page.type('input[name=operator]', name);
  if (approver) await page.click('input[name=approver]');
  await page.click('form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Work queues');
  await page.waitForSelector('[data-queue=approvals]');
}

/** Fills the open dialog's note (and reason when given) and confirms. */
async function confirmDialog(page: Page, note: string, reason?: string): Promise<void> {
  await page.waitForSelector('dialog[open]');
  if (reason) await page.select('dialog select[name=reasonCode]', reason);
  await page.type('dialog textarea[name=note]', note);
  await page.click('dialog button[type=submit]');
}

/** Two orders stuck in NEEDS_ATTENTION (settlement gave up with the provider down), made in test 2. */
const stuck: { account: string; id: string }[] = [];

describe('operator console in a browser', () => {
  it('serves /ops/ as its own page under the strict CSP and signs in an operator', async () => {
    const response = await ann.goto(`${runtime.url}/ops`);
    expect(response?.status()).toBe(200);
    expect(new URL(ann.url()).pathname).toBe('/ops/');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await ann.waitForSelector('body[data-ready=true]');
    expect(await heading(ann)).toBe('Sign in');
    expect(await ann.$$eval('script', (s) => s.map((e) => e.getAttribute('src')))).toEqual(['ops.js']);
    await expectAccessible(ann, 'sign-in');

    await signIn(ann, 'ann', true);
    expect(await ann.$eval('header', (h) => h.textContent)).toContain('Refund back office');
    expect(await ann.$eval('header', (h) => h.textContent)).toContain('Signed in as ann');
    expect(await ann.$$eval('header nav a', (as) => as.map((a) => a.textContent))).toEqual([
      'Work queues',
      'Find',
      'Approvals',
      'Audit trail',
    ]);
    await expectAccessible(ann, 'work queues');

    // The operator's session is the back office's own: the customer console is still signed out.
    const tab = await browser.newPage();
    await tab.goto(`${runtime.url}/`);
    await tab.waitForSelector('body[data-ready=true]');
    expect(await heading(tab)).toBe('Sign in');
    await tab.close();
    await ann.bringToFront();
  });

  it('fixes an order that needs attention end to end: found in the queue, retried, refunded', async () => {
    settlement.state.down = true;
    for (let i = 0; i < 2; i++) {
      const { account, instanceId } = await customer();
      stuck.push({ account, id: await unsubscribe(account, instanceId) });
    }
    for (const { id } of stuck) await untilStatus(id, 'NEEDS_ATTENTION');
    settlement.state.down = false;
    const [first] = stuck as [{ account: string; id: string }];

    await visit(ann, '#/queues', '[data-queue=needsAttention]');
    expect(await ann.$eval('[data-queue=needsAttention] .count', (c) => c.textContent)).toBe('2');
    const rows = await ann.$$eval('main table tbody tr', (rs) => rs.map((r) => r.textContent ?? ''));
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.stringContaining(first.id),
        expect.stringContaining(stuck[1]?.id ?? ''),
      ]),
    );
    await expectPlainWords(ann, 'work queues');
    await expectZonedTimes(ann, 'work queues');
    await expectAccessible(ann, 'work queues with orders');

    await ann.click(`main table a[href="#/orders/${first.id}"]`);
    await waitForText(ann, '[data-field=status]', 'Needs attention');
    expect(await heading(ann)).toBe('Unsubscribe order');
    const text = await mainText(ann);
    expect(text).toContain('Settlement gave up after its last delivery.');
    expect(text).toContain('Receive count 5.');
    expect(text).toContain('Unsubscribe order needs attention (version 1)'); // its domain event
    expect(await ann.$eval('[data-field=receives]', (d) => d.textContent)).toContain('dead-lettered 1×');
    await expectPlainWords(ann, 'order needing attention');
    await expectZonedTimes(ann, 'order needing attention');
    await expectAccessible(ann, 'order needing attention');

    await ann.click('.attention button.primary');
    await ann.waitForSelector('dialog[open]');
    expect(await ann.$eval('dialog h2', (h) => h.textContent)).toBe('Retry settlement now');
    expect(await ann.$eval('dialog [data-field=effect]', (e) => e.textContent)).toContain(
      'The order goes back to Pending and is sent to settlement again now: 1 open line',
    );
    await expectAccessible(ann, 'retry dialog');
    // No note: the dialog says so and sends nothing.
    await ann.click('dialog button[type=submit]');
    await waitForText(ann, 'dialog [role=alert]', 'Write a note');
    expect((await opsOrder(first.id)).audit).toEqual([]);

    await confirmDialog(ann, 'Provider outage is over (status page green)');
    await ann.waitForSelector('[data-outcome=APPLIED]');
    expect(await ann.$eval('.outcome', (o) => o.textContent)).toContain('Done: retried the settlement.');
    await waitForText(ann, '[data-field=status]', 'Refunded');
    const fixed = await opsOrder(first.id);
    expect(fixed.order.status).toBe('SUCCEEDED');
    expect(fixed.lines.map((l) => l.status)).toEqual(['SETTLED']);
    expect(fixed.audit.map((a) => [a.action, a.actor, a.note])).toEqual([
      ['SETTLEMENT_RETRIED', 'ann', 'Provider outage is over (status page green)'],
    ]);
    expect(fixed.history.filter((h) => h.note === 'OPERATOR_RETRY')).toHaveLength(1);
    expect(simulator.refundsMade({ unsubscribeOrderId: first.id })).toBe(1);
    // The page shows the provider's refund id and the operator's retry in the timeline.
    await waitForText(ann, 'main table', 'Paid out');
    const done = await mainText(ann);
    expect(done).toContain(simulator.refunds({ unsubscribeOrderId: first.id })[0]?.providerRefundId);
    expect(done).toContain('An operator retried the settlement.');
    await expectPlainWords(ann, 'order refunded');
    await expectAccessible(ann, 'order refunded');
  });

  it('resolves a line with the keyboard only: credited to the balance, once', async () => {
    const { account, id } = stuck[1] as { account: string; id: string };
    const line = (await opsOrder(id)).lines[0] as { orderId: string; refundAmount: number };
    const before = await balanceOf(account);
    await visit(ann, `#/orders/${id}`, '[data-field=status]');
    await waitForText(ann, '[data-field=status]', 'Needs attention');

    await tabTo(ann, 'Resolve by hand');
    await ann.keyboard.press('Enter');
    await ann.waitForSelector('dialog[open]');
    expect(await ann.$eval('dialog h2', (h) => h.textContent)).toBe(`Resolve line ${line.orderId} by hand`);
    await expectAccessible(ann, 'resolve dialog');
    await tabTo(ann, 'I have its reference');
    await ann.keyboard.press('ArrowDown'); // the radio group: "Credit it to the account balance"
    await waitForText(ann, 'dialog [data-field=effect]', `is credited to the balance of ${account}`);
    await tabTo(ann, 'Reason');
    await ann.keyboard.press('ArrowDown'); // Refunded outside the service → Customer complaint
    await tabTo(ann, 'Note');
    await ann.keyboard.type('Card closed; customer asked for balance credit');
    await tabTo(ann, 'Resolve line');
    await ann.keyboard.press('Enter');

    await ann.waitForSelector('[data-outcome=APPLIED]');
    await waitForText(ann, '[data-field=status]', 'Refunded');
    const view = await opsOrder(id);
    expect(view.order.status).toBe('SUCCEEDED');
    expect(view.audit.map((a) => [a.action, a.actor])).toEqual([['LINE_RESOLVED', 'ann']]);
    const after = await balanceOf(account);
    expect(after.usd - before.usd).toBe(line.refundAmount);
    expect(after.entries.filter((e) => e.cause === 'OPERATOR_RESOLUTION')).toHaveLength(1);
    expect(await mainText(ann)).toContain('Credited to the account balance, by ann');
  });

  it('gives one effect for a network error, its retry and a double click on the confirmation, all one key', async () => {
    const { account } = await customer(20_000);
    const keys: string[] = [];
    const onRequest = (request: { url(): string; method(): string; headers(): Record<string, string> }) => {
      if (request.method() === 'POST' && request.url().endsWith('/balance-adjustments'))
        keys.push(request.headers()['idempotency-key'] ?? '');
    };
    await visit(ann, `#/accounts/${account}`, 'main table');
    expect(await heading(ann)).toBe(`Account ${account}`);
    await expectAccessible(ann, 'account');
    await ann.click('main .panel button.primary');
    await ann.waitForSelector('dialog[open]');
    await ann.type('dialog input[name=amount]', '20.00');
    await waitForText(ann, 'dialog [data-field=effect]', `Credits $20.00 to the USD balance of ${account}`);
    await expectAccessible(ann, 'adjust dialog');
    await ann.type('dialog textarea[name=note]', 'Late refund, as agreed on the phone');

    ann.on('request', onRequest);
    await ann.setOfflineMode(true);
    await ann.click('dialog button[type=submit]');
    await ann.waitForSelector('dialog [data-code=NETWORK]');
    await ann.setOfflineMode(false);
    await ann.click('dialog button[type=submit]', { count: 2 });
    await ann.waitForSelector('[data-outcome=APPLIED]');
    ann.off('request', onRequest);

    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    const balance = await balanceOf(account);
    expect(balance.usd).toBe(2000);
    expect(balance.entries.map((e) => [e.cause, e.amount])).toEqual([['GOODWILL_CREDIT', 2000]]);
    const audit = await call('GET', `/ops/audit-records?accountId=${account}`, asOperator);
    expect((audit.body.items ?? []).map((a) => a.action)).toEqual(['BALANCE_ADJUSTED']);
    expect(await ann.$eval('[data-field=balances]', (b) => b.textContent)).toBe('$20.00');
  });

  it('files a credit above the limit for approval; not approvable by the requester; approved once by another', async () => {
    const { account } = await customer();
    await visit(ann, `#/accounts/${account}`, 'main table');
    await ann.click('main .panel button.primary');
    await ann.waitForSelector('dialog[open]');
    await ann.type('dialog input[name=amount]', '150');
    await confirmDialog(ann, 'Outage compensation, ticket 4411');
    await ann.waitForSelector('[data-outcome=APPROVAL_REQUESTED]');
    expect(await ann.$eval('.outcome', (o) => o.textContent)).toContain('Sent for approval.');
    expect((await balanceOf(account)).usd).toBe(0);

    await visit(ann, '#/approvals', 'main table');
    const approvalId = await ann.$eval('[data-approval]', (e) => (e as HTMLElement).dataset.approval ?? '');
    const row = (page: Page) =>
      page.$eval(`[data-approval="${approvalId}"]`, (e) => {
        const tr = e.closest('tr') as HTMLTableRowElement;
        return {
          text: tr.textContent ?? '',
          buttons: Array.from(tr.querySelectorAll('button'), (b) => b.textContent),
        };
      });
    // Ann is an approver, but this is her own request: the page offers no approval, the API refuses it.
    expect(await row(ann)).toEqual({
      text: expect.stringContaining('Your own request: another approver must decide.'),
      buttons: ['Cancel request'],
    });
    expect((await row(ann)).text).toContain(`Goodwill credit of $150.00 to the balance of ${account}`);
    const self = await call(
      'POST',
      `/ops/approvals/${approvalId}/approve`,
      { operator: 'ann', approver: true },
      {
        note: 'me',
      },
    );
    expect([self.status, (self.body.error as Json).code]).toEqual([403, 'SELF_APPROVAL']);
    await expectPlainWords(ann, 'approvals');
    await expectZonedTimes(ann, 'approvals');
    await expectAccessible(ann, 'approvals');

    await signIn(bob, 'bob', true);
    expect(await bob.$eval('[data-queue=approvals] .count', (c) => c.textContent)).toBe('1');
    await bob.click('[data-queue=approvals] a');
    await bob.waitForSelector(`[data-approval="${approvalId}"]`);
    expect((await row(bob)).buttons).toEqual(['Approve', 'Reject', 'Cancel request']);
    await bob.$$eval(`tr button`, (bs) =>
      (bs.find((b) => b.textContent === 'Approve') as HTMLElement).click(),
    );
    await bob.waitForSelector('dialog[open]');
    expect(await bob.$eval('dialog [data-field=effect]', (e) => e.textContent)).toBe(
      `Approving carries it out now, once, in your name: Goodwill credit of $150.00 to the balance of ${account}.`,
    );
    await expectAccessible(bob, 'approve dialog');
    await confirmDialog(bob, 'Checked ticket 4411', 'GOODWILL');
    await bob.waitForSelector('[data-outcome=APPROVED]');
    expect(await bob.$eval('main', (m) => m.textContent)).toContain('No request is waiting for approval.');

    const balance = await balanceOf(account);
    expect(balance.usd).toBe(15000);
    expect(balance.entries.map((e) => [e.cause, e.amount])).toEqual([['GOODWILL_CREDIT', 15000]]);
    const again = await call(
      'POST',
      `/ops/approvals/${approvalId}/approve`,
      { operator: 'bob', approver: true },
      {
        note: 'again',
      },
    );
    expect([again.status, (again.body.error as Json).code]).toEqual([409, 'APPROVAL_NOT_PENDING']);
    expect((await balanceOf(account)).usd).toBe(15000);
  });

  it('shows the audit trail of a person and of an order', async () => {
    await visit(bob, '#/audit', 'form[role=search]');
    expect(await bob.$eval('input[name=actor]', (i) => (i as HTMLInputElement).value)).toBe('bob');
    await expectAccessible(bob, 'audit search');
    await bob.click('form[role=search] button[type=submit]');
    await waitForText(bob, 'h1', 'Audit trail of bob');
    await bob.waitForSelector('main table');
    const rows = await bob.$$eval('main tbody tr', (rs) => rs.map((r) => r.textContent ?? ''));
    expect(rows).toEqual([expect.stringContaining('Approved a request')]);
    expect(rows[0]).toContain('Request: Waiting for approval');
    expect(rows[0]).toContain('Checked ticket 4411');
    await expectPlainWords(bob, 'audit of a person');
    await expectZonedTimes(bob, 'audit of a person');
    await expectAccessible(bob, 'audit of a person');

    const id = stuck[0]?.id ?? '';
    await visit(bob, `#/audit/order/${encodeURIComponent(id)}`, 'main table');
    expect(await bob.$$eval('main tbody tr', (rs) => rs.map((r) => r.textContent ?? ''))).toEqual([
      expect.stringContaining('Retried the settlement'),
    ]);
    await expectAccessible(bob, 'audit of an order');
  });

  it('is axe-clean and in words on the other screens: queues, find, a missing order', async () => {
    for (const [hash, selector, name] of [
      ['#/queues/needs-attention', 'main table, main .empty', 'needs-attention queue'],
      ['#/queues/due', 'main table, main .empty', 'due queue'],
      ['#/queues/submitted', 'main table, main .empty', 'submitted queue'],
      ['#/find', 'form[role=search]', 'find'],
    ] as const) {
      await visit(ann, hash, selector);
      await expectPlainWords(ann, name);
      await expectAccessible(ann, name);
    }
    await ann.type('input[name=unsubscribeOrderId]', 'uo-nowhere');
    await ann.keyboard.press('Enter');
    await ann.waitForSelector('[data-code=NOT_FOUND]');
    expect(await ann.$eval('[role=alert]', (a) => a.textContent)).toContain(
      'No unsubscribe order uo-nowhere was found.',
    );
    await expectAccessible(ann, 'order not found');
  });

  it('fits a 390 px wide screen: nothing wider than the screen', async () => {
    await ann.setViewport({ width: 390, height: 844 });
    try {
      for (const [hash, selector] of [
        ['#/queues', '[data-queue=needsAttention]'],
        [`#/orders/${stuck[0]?.id ?? ''}`, '[data-field=status]'],
        ['#/approvals', 'main .lead'],
      ] as const) {
        await visit(ann, hash, selector);
        expect({ hash, width: await ann.evaluate(() => document.documentElement.scrollWidth) }).toEqual({
          hash,
          width: 390,
        });
      }
    } finally {
      await ann.setViewport({ width: 1200, height: 900 });
    }
  });
});
