/// <reference lib="dom" />
/**
 * The order page's refreshes in headless Chromium against the local runtime: while the order
 * settles, a keyboard user's focus stays on the control they reached, an opened "How is this
 * calculated?" stays open and the status live region is left alone (nothing to announce);
 * once the order settles, the page shows it and announces it, focus and disclosure still in
 * place. The refund processor is the real one, held back by a gate, so "still settling" lasts
 * as many refreshes as the test wants instead of racing the settlement.
 */
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHandler } from '#infra/local/functions.ts';
import type { LocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { axeViolations, tabTo, waitForText } from '#test/support/browser.ts';
import { demoApi, gate, startGatedConsole } from '#test/support/gated-console.ts';

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;
/** The real refund-processor function, held until the gate opens. */
const held = gate();
const openGate = held.open;

beforeAll(async () => {
  ({ runtime, browser, page } = await startGatedConsole('console-order-refresh', {
    'refund-processor': held.hold(
      async () => (await import('#functions/refund-processor.ts')).handler as LocalHandler,
    ),
  }));
}, 120_000);

afterAll(async () => {
  openGate();
  await browser?.close();
  await runtime?.stop();
});

const api = (method: string, path: string, json?: unknown, headers?: Record<string, string>) =>
  demoApi(runtime, method, path, json, headers);

/** What the page keeps between checks: the nodes seen earlier and the live region's changes. */
interface Seen {
  __focused: Element | null;
  __details: Element | null;
  __statusLine: Element | null;
  __statusChanges: number;
}

/** Whether the focus, the disclosure and the status line are the very nodes seen earlier. */
const sameNodes = () =>
  page.evaluate(() => {
    const seen = window as unknown as Seen;
    const details = document.querySelector('details.explain') as HTMLDetailsElement | null;
    return {
      focused: document.activeElement === seen.__focused,
      focusedText: document.activeElement?.textContent ?? '',
      details: details === seen.__details,
      open: details?.open ?? false,
      statusLine: document.querySelector('.status-line') === seen.__statusLine,
      statusChanges: seen.__statusChanges,
    };
  });

const rememberFocus = () =>
  page.evaluate(() => {
    (window as unknown as Seen).__focused = document.activeElement;
  });

describe('the order page while the refund settles', () => {
  it('keeps focus and an open explanation through refreshes, and shows the settled order', async () => {
    const quote = await api('POST', '/instances/demo-fresh/refund-quotes', { kind: 'UNSUBSCRIBE' });
    expect(quote.status).toBe(201);
    const order = await api(
      'POST',
      '/instances/demo-fresh/unsubscriptions',
      {
        quoteId: quote.body.quoteId,
        refundType: quote.body.refundType,
        confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
        reason: { code: 'NO_LONGER_NEEDED' },
      },
      { 'idempotency-key': 'console-order-refresh' },
    );
    expect(order.status).toBe(202);
    const orderId: string = order.body.unsubscribeOrderId;

    // Every refresh reads the order: counted as the page asks for it.
    let reads = 0;
    const waiters: { count: number; resolve: () => void }[] = [];
    const orderPath = `/unsubscribe-orders/${encodeURIComponent(orderId)}`;
    page.on('request', (request: HTTPRequest) => {
      if (request.method() !== 'GET' || !new URL(request.url()).pathname.endsWith(orderPath)) return;
      reads += 1;
      for (const w of waiters.filter((w) => reads >= w.count)) w.resolve();
    });
    /** Resolves once the page has read the order `n` more times than it has so far. */
    const moreReads = (n: number) =>
      new Promise<void>((resolve) => {
        waiters.push({ count: reads + n, resolve });
      });

    // Sign in (the local sign-in page), then open the order's page.
    await page.goto(`${runtime.url}/`);
    await page.waitForSelector('body[data-ready=true]');
    await page.click('input[name=accountId]', { count: 3 });
    await page.keyboard.type(DEMO_ACCOUNT);
    await page.keyboard.press('Enter');
    await waitForText(page, 'table', 'demo-fresh');
    await page.goto(`${runtime.url}/#/orders/${encodeURIComponent(orderId)}`);
    await waitForText(page, '[data-field=status]', 'Pending');
    expect(await page.$eval('.status-line', (s) => s.getAttribute('aria-live'))).toBe('polite');
    expect(await page.$eval('main', (m) => m.textContent)).toContain(
      'This page refreshes until the refund is settled.',
    );

    // What the live region would announce: any change to its text or nodes.
    await page.evaluate(() => {
      const seen = window as unknown as Seen;
      const line = document.querySelector('.status-line') as Element;
      seen.__statusLine = line;
      seen.__details = document.querySelector('details.explain');
      seen.__statusChanges = 0;
      new MutationObserver((records) => {
        seen.__statusChanges += records.length;
      }).observe(line, { subtree: true, childList: true, characterData: true });
    });

    // With the keyboard: open "How is this calculated?", then go on to "Download credit note".
    await tabTo(page, 'How is this calculated?');
    await page.keyboard.press('Enter');
    expect(await page.$eval('details.explain', (d) => (d as HTMLDetailsElement).open)).toBe(true);
    await tabTo(page, 'Download credit note');
    await rememberFocus();

    // Three more reads: the two before the last have been drawn by the time the last is asked for.
    await moreReads(3);
    expect(await sameNodes()).toEqual({
      focused: true,
      focusedText: 'Download credit note',
      details: true,
      open: true,
      statusLine: true,
      statusChanges: 0, // still pending: nothing to announce
    });

    // Back to the disclosure's summary, and let the refund settle while it has the focus.
    for (let i = 0; i < 10; i++) {
      const onSummary = await page.evaluate(() => document.activeElement?.tagName === 'SUMMARY');
      if (onSummary) break;
      await page.keyboard.down('Shift');
      await page.keyboard.press('Tab');
      await page.keyboard.up('Shift');
    }
    await rememberFocus();
    openGate();
    await waitForText(page, '[data-field=status]', 'Refunded');

    const after = await sameNodes();
    expect(after).toEqual({
      focused: true,
      focusedText: 'How is this calculated?',
      details: true,
      open: true,
      statusLine: true,
      statusChanges: expect.any(Number),
    });
    expect(after.statusChanges).toBeGreaterThan(0); // announced once it changed
    const main = await page.$eval('main', (m) => m.textContent ?? '');
    expect(main).toContain('Refunded at');
    expect(main).not.toContain('This page refreshes until the refund is settled.');
    expect(await page.$$eval('.timeline li strong', (li) => li.map((l) => l.textContent))).toContain(
      'Refunded',
    );
    expect((await api('GET', `/unsubscribe-orders/${orderId}`)).body.status).toBe('SUCCEEDED');
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);
});
