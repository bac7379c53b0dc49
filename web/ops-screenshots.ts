/**
 * `npm run screenshots:ops`: starts the local runtime with the demo data, takes the payment
 * provider down while two demo orders settle (so they end in NEEDS_ATTENTION through the real
 * path), then drives the operator console (`/ops/`) in headless Chromium as two people — ann
 * and bob, both approvers — and writes one PNG per screen into docs/back-office/ (shown in
 * docs/back-office.md), plus two at a phone's width (`*-390.png`). The customer console's
 * screenshots are `npm run screenshots`.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { launchBrowser, waitForText } from '#test/support/browser.ts';
import {
  runtimeCaller,
  switchableSettlement,
  unsubscribeInstance,
  untilOrderStatus,
} from '#test/support/ops-console.ts';

const OUT = new URL('../docs/back-office/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

const settlement = switchableSettlement();
const runtime = await startLocalRuntime({
  seed: true,
  schedule: false,
  visibilityTimeoutSeconds: 1,
  handlers: { 'refund-processor': settlement.processor },
  log: () => {},
});
const call = runtimeCaller(runtime);
const browser = await launchBrowser();

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  // The focus ring of a heading focused by script is not shown (mouse-like); blur for a clean shot.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage });
  console.log(`docs/back-office/${name}.png`);
}

async function go(page: Page, hash: string, selector: string): Promise<void> {
  await page.bringToFront();
  if (new URL(page.url()).pathname === '/ops/') {
    await page.evaluate((h: string) => {
      location.hash = h;
    }, hash);
  } else await page.goto(`${runtime.url}/ops/${hash}`);
  await page.waitForSelector(selector).catch(async (error: unknown) => {
    throw new Error(`${hash}: ${await page.$eval('main', (m) => m.textContent)}`, { cause: error });
  });
}

async function signIn(page: Page, name: string): Promise<void> {
  await page.bringToFront();
  await page.goto(`${runtime.url}/ops/`);
  await page.waitForSelector('body[data-ready=true]');
  await page.$eval('input[name=operator]', (i) => {
    (i as HTMLInputElement).value = '';
  });
  await page.type('input[name=operator]', name);
  await page.click('input[name=approver]');
}

async function submitSignIn(page: Page): Promise<void> {
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-queue=approvals]');
}

try {
  settlement.state.down = true;
  const stuck = [
    await unsubscribeInstance(call, DEMO_ACCOUNT, 'demo-fresh'),
    await unsubscribeInstance(call, DEMO_ACCOUNT, 'demo-flaky'),
  ];
  for (const id of stuck) await untilOrderStatus(call, id, 'NEEDS_ATTENTION');
  settlement.state.down = false;
  const [retried = '', resolved = ''] = stuck;

  const ann = await browser.newPage();
  const bob = await browser.newPage();
  for (const page of [ann, bob]) {
    await page.emulateTimezone('Europe/Berlin');
    await page.setViewport({ width: 1100, height: 900 });
  }

  await signIn(ann, 'ann');
  await shoot(ann, '1-sign-in');
  await submitSignIn(ann);
  await ann.waitForSelector('main table');
  await shoot(ann, '2-work-queues', true);
  await ann.setViewport({ width: 390, height: 844 });
  await shoot(ann, '13-work-queues-390', true);
  await ann.setViewport({ width: 1100, height: 900 });

  await go(ann, `#/orders/${retried}`, '.attention');
  await shoot(ann, '3-order-needs-attention', true);
  await ann.click('.attention button.primary');
  await ann.waitForSelector('dialog[open]');
  await ann.type('dialog textarea[name=note]', 'Provider status page green again since 10:40');
  await shoot(ann, '4-retry-dialog');
  await ann.click('dialog button[type=submit]');
  await waitForText(ann, '[data-field=status]', 'Refunded');
  await waitForText(ann, 'main table', 'Paid out');
  await shoot(ann, '5-order-retried', true);

  await go(ann, `#/orders/${resolved}`, '.attention');
  await ann.$$eval('main table button', (bs) => (bs[0] as HTMLButtonElement).click());
  await ann.waitForSelector('dialog[open]');
  await ann.type('dialog input[name=externalReference]', 're_3QdEmo0Refund0001');
  await ann.type('dialog textarea[name=note]', 'Refunded by hand in the provider dashboard, ticket 4410');
  await shoot(ann, '6-resolve-dialog');
  await ann.click('dialog button[type=submit]');
  // $499.00 is above the four-eyes limit: a request for another approver.
  await ann.waitForSelector('[data-outcome=APPROVAL_REQUESTED]');

  await go(ann, `#/accounts/${DEMO_ACCOUNT}`, 'main table');
  await ann.click('main .panel button.primary');
  await ann.waitForSelector('dialog[open]');
  await ann.type('dialog input[name=amount]', '150');
  await ann.type('dialog textarea[name=note]', 'Compensation for the outage, ticket 4411');
  await shoot(ann, '7-adjust-dialog');
  await ann.click('dialog button[type=submit]');
  await ann.waitForSelector('[data-outcome=APPROVAL_REQUESTED]');
  await shoot(ann, '8-account', true);

  await go(ann, '#/approvals', 'main table');
  await shoot(ann, '9-approvals-own-request');

  await signIn(bob, 'bob');
  await submitSignIn(bob);
  await go(bob, '#/approvals', 'main table');
  await shoot(bob, '10-approvals-approver');
  for (const [reason, note, shot] of [
    ['REFUNDED_OUTSIDE', 'Found the refund re_3QdEmo0Refund0001 in the provider dashboard', ''],
    ['GOODWILL', 'Checked ticket 4411 and the outage window', '11-approve-dialog'],
  ] as const) {
    await bob.$$eval('main table button', (bs) =>
      (bs.find((b) => b.textContent === 'Approve') as HTMLButtonElement).click(),
    );
    await bob.waitForSelector('dialog[open]');
    await bob.select('dialog select[name=reasonCode]', reason);
    await bob.type('dialog textarea[name=note]', note);
    if (shot) await shoot(bob, shot);
    await bob.click('dialog button[type=submit]');
    await bob.waitForSelector('dialog', { hidden: true });
    await bob.waitForSelector('[data-outcome=APPROVED]');
    await bob.waitForSelector('main table, main .empty');
  }

  await go(bob, '#/audit/person/bob', 'main table');
  await shoot(bob, '12-audit-trail-person', true);

  await ann.setViewport({ width: 390, height: 844 });
  await go(ann, `#/orders/${resolved}`, '[data-field=status]');
  await shoot(ann, '14-order-390', true);
} finally {
  await browser.close();
  await runtime.stop();
}
