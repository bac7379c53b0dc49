/**
 * `npm run screenshots`: starts the local runtime with the demo data, drives the console in
 * headless Chromium and writes one PNG per screen into docs/console/ (shown in the README and docs/console.md).
 */
import { mkdirSync } from 'node:fs';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { launchBrowser, waitForText } from '#test/support/browser.ts';

const OUT = new URL('../docs/console/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const runtime = await startLocalRuntime({
  seed: true,
  schedule: false,
  visibilityTimeoutSeconds: 1,
  log: () => {},
});
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 760 });
  const shot = async (name: string) => {
    await page.screenshot({ path: `${OUT}${name}.png`, fullPage: false });
    console.log(`docs/console/${name}.png`);
  };
  const go = async (hash: string, selector: string) => {
    await page.goto(`${runtime.url}/${hash}`);
    await page.waitForSelector(selector);
  };

  await go('', 'body[data-ready=true]');
  await shot('1-sign-in');
  await page.click('button[type=submit]');
  await waitForText(page, 'table', 'demo-fresh');
  await shot('2-instances');
  await go('#/unsubscribe/demo-fresh', '[data-field=refundType]');
  await shot('3-unsubscribe-quote');
  await page.click('input[name=rulesAndAmountConfirmed]');
  await page.click('input[name=dataBackupConfirmed]');
  await page.click('.actions button.primary');
  await page.waitForSelector('dialog[open]');
  await shot('4-confirmation-dialog');
  await page.click('dialog button[type=submit]');
  await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
  await waitForText(page, '[data-field=status]', 'SUCCEEDED');
  await shot('5-order-details');
  await go('#/renewals', 'table');
  await shot('6-renewals-tab');
  await go('#/renewal/demo-renewing', 'input[type=radio]');
  await shot('7-renewal-cancellation');
  await fetch(`${runtime.url}/internal/instances/demo-flaky/flags`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${runtime.token('billing', { internal: true })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ accountId: 'acct-demo', securityLocked: true, overduePayment: true }),
  });
  await go('#/unsubscribe/demo-flaky', '[role=alert]');
  await shot('8-refusal');
  await go('#/unsubscribe/demo-closed', '[data-field=refundType]');
  await page.click('input[name=rulesAndAmountConfirmed]');
  await page.click('input[name=dataBackupConfirmed]');
  await page.click('.actions button.primary');
  await page.click('dialog button[type=submit]');
  await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
  await waitForText(page, '[data-field=status]', 'SUCCEEDED');
  await go('#/balance', 'table');
  await shot('9-balance');
} finally {
  await browser.close();
  await runtime.stop();
}
