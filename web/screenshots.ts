/**
 * `npm run screenshots`: starts the local runtime with the demo data, drives the console in
 * headless Chromium and writes one PNG per screen into docs/console/ (shown in docs/console.md),
 * plus the main screens at a phone's width (390 px, `*-390.png`).
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { launchBrowser, waitForText } from '#test/support/browser.ts';

const OUT = new URL('../docs/console/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

const runtime = await startLocalRuntime({
  seed: true,
  schedule: false,
  visibilityTimeoutSeconds: 1,
  log: () => {},
});
const browser = await launchBrowser();

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  // The focus ring of a heading focused by script is not shown (mouse-like); blur for a clean shot.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage });
  console.log(`docs/console/${name}.png`);
}

async function go(page: Page, hash: string, selector: string): Promise<void> {
  await page.goto(`${runtime.url}/${hash}`);
  await page.waitForSelector(selector);
}

async function confirmUnsubscribe(page: Page, instanceId: string): Promise<void> {
  await go(page, `#/unsubscribe/${instanceId}`, '[data-field=refundType]');
  await page.click('input[name=rulesAndAmountConfirmed]');
  await page.click('input[name=dataBackupConfirmed]');
  await page.click('.actions button.primary');
  await page.waitForSelector('dialog[open]');
}

try {
  const page = await browser.newPage();
  await page.emulateTimezone('Europe/Berlin');
  await page.setViewport({ width: 1100, height: 800 });

  await go(page, '', 'body[data-ready=true]');
  await shoot(page, '1-sign-in');
  await page.click('button[type=submit]');
  await waitForText(page, 'table', 'demo-fresh');
  await shoot(page, '2-instances');
  await go(page, '#/unsubscribe/demo-fresh', '[data-field=refundType]');
  await shoot(page, '3-unsubscribe-quote', true);
  await page.setViewport({ width: 1100, height: 940 });
  await confirmUnsubscribe(page, 'demo-fresh');
  await shoot(page, '4-confirmation-dialog'); // no reason chosen for the customer
  await page.setViewport({ width: 1100, height: 800 });
  await page.select('dialog select', 'NO_LONGER_NEEDED');
  await page.click('dialog button[type=submit]');
  await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
  await waitForText(page, '[data-field=status]', 'Refunded');
  await shoot(page, '5-order-details', true);
  await go(page, '#/renewals', 'table');
  await shoot(page, '6-renewals-tab');
  await go(page, '#/renewal/demo-renewing', 'input[type=radio]');
  await shoot(page, '7-renewal-cancellation', true);
  await fetch(`${runtime.url}/internal/instances/demo-flaky/flags`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${runtime.token('billing', { internal: true })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ accountId: 'acct-demo', securityLocked: true, overduePayment: true }),
  });
  await go(page, '#/unsubscribe/demo-flaky', '[role=alert]');
  await shoot(page, '8-refusal');
  await confirmUnsubscribe(page, 'demo-closed');
  await page.select('dialog select', 'TOO_EXPENSIVE');
  await page.click('dialog button[type=submit]');
  await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
  await waitForText(page, '[data-field=status]', 'Refunded');
  await go(page, '#/balance', 'table');
  await shoot(page, '9-balance');

  await page.setViewport({ width: 390, height: 844 });
  await go(page, '#/resources', 'table');
  await shoot(page, '10-instances-390', true);
  await go(page, '#/unsubscribe/demo-renewing', '[data-field=refundType]');
  await shoot(page, '11-unsubscribe-quote-390', true);
  await go(page, '#/orders', 'table');
  await page.click('tbody tr:first-child a');
  await waitForText(page, '[data-field=status]', 'Refunded');
  await shoot(page, '12-order-details-390', true);
} finally {
  await browser.close();
  await runtime.stop();
}
