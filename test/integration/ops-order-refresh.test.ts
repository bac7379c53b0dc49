/// <reference lib="dom" />
/**
 * The operator console's order page while the order changes underneath it, in headless
 * Chromium against the local runtime: a settlement held back by a gate completes while the
 * operator's keyboard focus is on a link of the page, and another operator resolves lines
 * through the API while the focus is on an action button or its confirmation dialog is open.
 * Focus stays on the very control it was on, or — when that control went away because there
 * is nothing left to do — moves to the page's heading, never to the document's body; an open
 * dialog is left exactly as it was, and the page catches up once it closes.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalHandler } from '#infra/local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { orderBody } from '#test/support/api.ts';
import { launchBrowser, tabTo, waitForText } from '#test/support/browser.ts';
import {
  type Caller,
  runtimeCaller,
  switchableSettlement,
  unsubscribeInstance,
  untilOrderStatus,
} from '#test/support/ops-console.ts';

const DAY = 86_400_000;
let runtime: LocalRuntime;
let browser: Browser;
let page: Page;
let call: Caller;

const settlement = switchableSettlement();
/** Holds the refund processor back while closed (opened by the test that closes it). */
let gate: Promise<void> = Promise.resolve();
let openGate: () => void = () => undefined;
const closeGate = () => {
  gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
};
const gatedProcessor: LocalHandler = async (event: never, context: Context) => {
  await gate;
  return settlement.processor(event, context);
};

beforeAll(async () => {
  runtime = await startLocalRuntime({
    schedule: false,
    visibilityTimeoutSeconds: 1,
    tableName: 'ops-order-refresh',
    queuePrefix: 'ops-order-refresh-',
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    handlers: { 'refund-processor': gatedProcessor },
    log: () => {},
  });
  call = runtimeCaller(runtime);
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  await signIn('ann');
}, 120_000);

afterAll(async () => {
  openGate();
  await browser?.close();
  await runtime?.stop();
});

/** A customer whose USD instance has a paid period and a paid renewal: two lines to refund. */
async function customer(renewal: boolean): Promise<{ account: string; instanceId: string }> {
  const account = `acct-${randomUUID().slice(0, 8)}`;
  const instanceId = `i-${randomUUID().slice(0, 8)}`;
  const start = Date.now() - 4 * DAY;
  const at = (ms: number) => new Date(ms).toISOString();
  const orders = [
    {
      orderId: `o-${randomUUID().slice(0, 8)}`,
      paidAt: at(start),
      periodEnd: at(start + 30 * DAY),
      cashPaid: 3000,
    },
    ...(renewal
      ? [
          {
            orderId: `o-${randomUUID().slice(0, 8)}`,
            type: 'RENEW' as const,
            paidAt: at(start + DAY),
            periodStart: at(start + 30 * DAY),
            periodEnd: at(start + 60 * DAY),
            cashPaid: 1000,
          },
        ]
      : []),
  ];
  for (const order of orders) {
    const ingested = await call(
      'POST',
      '/internal/orders',
      { internal: true },
      orderBody(account, instanceId, order),
    );
    expect(ingested.status).toBe(201);
  }
  return { account, instanceId };
}

async function signIn(name: string): Promise<void> {
  await page.goto(`${runtime.url}/ops/`);
  await page.waitForSelector('body[data-ready=true]');
  await page.$eval('input[name=operator]', (i) => {
    (i as HTMLInputElement).value = '';
  });
  await page.type('input[name=operator]', name);
  await page.click('form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Work queues');
}

/** Counts the page's reads of one order, so a test can wait for the page to have read it again. */
function readsOf(id: string) {
  let reads = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const orderPath = `/ops/orders/${encodeURIComponent(id)}`;
  const onRequest = (request: HTTPRequest) => {
    if (request.method() !== 'GET' || new URL(request.url()).pathname !== orderPath) return;
    reads += 1;
    for (const w of waiters.filter((w) => reads >= w.count)) w.resolve();
  };
  page.on('request', onRequest);
  return {
    /** Resolves once the page has read the order `n` more times than it has so far. */
    more: (n: number) =>
      new Promise<void>((resolve) => {
        waiters.push({ count: reads + n, resolve });
      }),
    stop: () => page.off('request', onRequest),
  };
}

/** What has the keyboard focus now, and whether it is the node remembered earlier. */
const focus = () =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      same: el === (window as unknown as { __focused?: Element }).__focused,
      tag: el?.tagName ?? '',
      text: el?.textContent ?? '',
      line: el?.dataset.line ?? null,
    };
  });
const rememberFocus = () =>
  page.evaluate(() => {
    (window as unknown as { __focused?: Element | null }).__focused = document.activeElement;
  });

const resolveByApi = (id: string, line: string, operator: string) =>
  call(
    'POST',
    `/ops/orders/${id}/lines/${line}/resolutions`,
    { operator },
    {
      resolution: 'SETTLED_EXTERNALLY',
      externalReference: `re_${randomUUID().slice(0, 8)}`,
      reasonCode: 'REFUNDED_OUTSIDE',
      note: 'Refunded by hand in the provider dashboard',
    },
  );

describe('the operator order page while the order changes underneath', () => {
  it('keeps focus on the link it is on while a settlement held by a gate completes', async () => {
    closeGate();
    const { account, instanceId } = await customer(false);
    const id = await unsubscribeInstance(call, account, instanceId);
    const reads = readsOf(id);
    await page.goto(`${runtime.url}/ops/#/orders/${encodeURIComponent(id)}`);
    await waitForText(page, '[data-field=status]', 'Pending');
    expect(await page.$eval('main', (m) => m.textContent)).toContain(
      'This page refreshes until the order is refunded.',
    );

    await tabTo(page, 'open the account');
    await rememberFocus();
    await reads.more(2); // refreshes with nothing new leave everything alone
    expect(await focus()).toMatchObject({ same: true, tag: 'A', text: `${account} open the account` });

    openGate();
    await waitForText(page, '[data-field=status]', 'Refunded');
    reads.stop();
    expect(await focus()).toMatchObject({ same: true, tag: 'A', text: `${account} open the account` });
    const main = await page.$eval('main', (m) => m.textContent ?? '');
    expect(main).toContain('Refunded at');
    expect(main).not.toContain('This page refreshes');
    expect(settlement.simulator.refundsMade({ unsubscribeOrderId: id })).toBe(1);
  }, 120_000);

  it("keeps focus on a line's action when another operator resolves another line; leaves an open dialog alone; the heading takes focus once nothing is left to do", async () => {
    settlement.state.down = true;
    const { account, instanceId } = await customer(true);
    const id = await unsubscribeInstance(call, account, instanceId);
    await untilOrderStatus(call, id, 'NEEDS_ATTENTION');
    settlement.state.down = false;
    const view = await call('GET', `/ops/orders/${id}`, { operator: 'carol' });
    const [first, second] = (view.body.lines as { orderId: string }[]).map((l) => l.orderId) as [
      string,
      string,
    ];

    const reads = readsOf(id);
    await page.goto(`${runtime.url}/ops/#/orders/${encodeURIComponent(id)}`);
    await waitForText(page, '[data-field=status]', 'Needs attention');
    // With the keyboard: past the first line's "Resolve by hand" to the second's.
    await tabTo(page, 'Resolve by hand');
    await page.keyboard.press('Tab');
    expect(await focus()).toMatchObject({ tag: 'BUTTON', text: 'Resolve by hand', line: second });
    await rememberFocus();

    // Another operator resolves the first line: the page shows it, the focus stays put.
    expect((await resolveByApi(id, first, 'bob')).status).toBe(200);
    await waitForText(page, 'main table', 'Refunded outside the service, by bob');
    expect(await focus()).toEqual({ same: true, tag: 'BUTTON', text: 'Resolve by hand', line: second });
    expect(await page.$$eval('button[data-action=resolve]', (bs) => bs.length)).toBe(1);

    // The same button, after the patch, opens its own line's dialog.
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    expect(await page.$eval('dialog h2', (h) => h.textContent)).toBe(`Resolve line ${second} by hand`);
    const effect = await page.$eval('dialog [data-field=effect]', (e) => e.textContent);
    expect(effect).toContain('It is the last open line: the order becomes Refunded.');

    // Another operator resolves that line too while the dialog is open: the dialog and the page
    // it describes stay as they are through the refreshes.
    expect((await resolveByApi(id, second, 'bob')).status).toBe(200);
    // The page reads the order until it is refunded (and then stops): that answer has arrived.
    await page.waitForResponse(
      async (r) =>
        new URL(r.url()).pathname === `/ops/orders/${encodeURIComponent(id)}` &&
        r.request().method() === 'GET' &&
        ((await r.json()) as { order: { status: string } }).order.status === 'SUCCEEDED',
    );
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(await page.$eval('dialog[open] [data-field=effect]', (e) => e.textContent)).toBe(effect);
    expect(await page.$eval('[data-field=status]', (s) => s.textContent)).toBe('Needs attention');

    // Cancelled: the page catches up; the button is gone with its line, so the heading has focus.
    await page.keyboard.press('Escape');
    await waitForText(page, '[data-field=status]', 'Refunded');
    reads.stop();
    expect(await page.$('dialog')).toBeNull();
    expect(await page.$$eval('button[data-action]', (bs) => bs.length)).toBe(0);
    expect(await focus()).toMatchObject({ tag: 'H1', text: 'Unsubscribe order' });
    expect((await call('GET', `/ops/orders/${id}`, { operator: 'carol' })).body.audit).toHaveLength(2);
  }, 120_000);
});
