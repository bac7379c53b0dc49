/// <reference lib="dom" />
/**
 * The order page's "Download credit note" in headless Chromium against the local runtime: while
 * the note is still being issued the customer is told to try again shortly (and nothing opens);
 * once issued, the button opens the note's short-lived link, which serves the PDF with the
 * order's number and amount. The credit-notes function is the real one, held back by a gate so
 * "not issued yet" is a state the test controls, not a race.
 */
import type { Browser, Page, Target } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalHandler } from '#infra/local/functions.ts';
import type { LocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { axeViolations, waitForText } from '#test/support/browser.ts';
import { demoApi, gate, startGatedConsole } from '#test/support/gated-console.ts';
import { pdfText } from '#test/support/paperwork.ts';

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;
/** The real credit-notes function, held until the gate opens. */
const held = gate();
const openGate = held.open;

beforeAll(async () => {
  ({ runtime, browser, page } = await startGatedConsole('console-credit-note', {
    'credit-notes': held.hold(
      async () => (await import('#functions/credit-notes.ts')).handler as LocalHandler,
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

const statusText = () => page.$eval('.credit-note-status', (s) => s.textContent ?? '');

/** Whether a tab other than the console has opened (a link to a document). */
const otherTargets = () =>
  browser.targets().filter((t) => t.type() === 'page' && !t.url().startsWith(runtime.url));

describe('Download credit note on the order page', () => {
  let orderId: string;
  let refundAmount: number;

  it('says the credit note is not ready yet while it is being issued, and opens nothing', async () => {
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
      { 'idempotency-key': 'console-credit-note' },
    );
    expect(order.status).toBe(202);
    orderId = order.body.unsubscribeOrderId;
    refundAmount = quote.body.refundAmount;

    // Sign in (the local sign-in page), then open the order's page.
    await page.goto(`${runtime.url}/`);
    await page.waitForSelector('body[data-ready=true]');
    await page.click('input[name=accountId]', { count: 3 });
    await page.keyboard.type(DEMO_ACCOUNT);
    await page.keyboard.press('Enter');
    await waitForText(page, 'table', 'demo-fresh');
    await page.goto(`${runtime.url}/#/orders/${encodeURIComponent(orderId)}`);
    await waitForText(page, 'main', 'Credit note');

    const before = otherTargets().length;
    const [download] = await page.$$('xpath/.//button[normalize-space()="Download credit note"]');
    expect(download).toBeDefined();
    await download?.click();
    await waitForText(page, '.credit-note-status', 'not ready yet');
    expect(await statusText()).toBe(
      'Your credit note is not ready yet: it is issued within a minute of the order. Please try again shortly.',
    );
    // A state to wait in, not a refusal: no alert, no link, the button still there to try again.
    expect(await page.$('.credit-note-status [role=alert]')).toBeNull();
    expect(await page.$('.credit-note-status a')).toBeNull();
    expect(otherTargets().length).toBe(before);
    expect(
      await page.$$eval('button', (bs) =>
        bs.filter((b) => b.textContent === 'Download credit note').map((b) => b.disabled),
      ),
    ).toEqual([false]);
    const violations = await axeViolations(page);
    expect(violations).toEqual([]);
  });

  it('once issued, opens the link to the PDF with the order’s number and amount', async () => {
    openGate();
    await runtime.paperwork.idle();
    const note = await api('GET', `/unsubscribe-orders/${orderId}/credit-note`);
    expect(note.status).toBe(200);

    const opened = browser.waitForTarget(
      (t: Target) => t.type() === 'page' && t.url().startsWith(inject('sqsEndpoint')),
      { timeout: 30_000 },
    );
    await page.click('xpath/.//button[normalize-space()="Download credit note"]');
    await waitForText(page, '.credit-note-status', note.body.number);
    const target = await opened;
    expect(await statusText()).toContain(`Credit note ${note.body.number} (PDF)`);
    expect(await statusText()).toContain('The link works for 5 minutes');

    // The tab the button opened is the note's PDF.
    const pdf = await fetch(target.url());
    expect(pdf.status).toBe(200);
    const text = pdfText(new Uint8Array(await pdf.arrayBuffer()));
    expect(text).toContain(note.body.number);
    expect(text).toContain(`Instance: demo-fresh`);
    const amount = `${Math.floor(refundAmount / 100)}.${String(refundAmount % 100).padStart(2, '0')} USD`;
    expect(text).toContain(amount);
    // The link on the page is the same document, offered under the note's number.
    expect(
      await page.$eval('.credit-note-status a', (a) => [a.getAttribute('download'), a.getAttribute('rel')]),
    ).toEqual([`${note.body.number}.pdf`, 'noopener']);
    expect(await axeViolations(page)).toEqual([]);
  });
});
