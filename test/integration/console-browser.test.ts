/// <reference lib="dom" />
/**
 * The customer console in headless Chromium against the real local runtime (seeded demo
 * data, real handlers, the refund poller): keyboard-only unsubscribe to SUCCEEDED, renewal
 * cancellation, an abnormal-state refusal, a double click and a network-error retry making
 * exactly one order, and axe-core with no violations on every screen. The tests run in
 * order on one page (each builds on the demo data the previous ones left).
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import {
  axeViolations,
  installMovableClock,
  launchBrowser,
  moveClock,
  tabTo,
  waitForText,
} from '#test/support/browser.ts';

const SECRET = 'console-browser-secret';
let runtime: LocalRuntime;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    seed: true,
    schedule: false,
    visibilityTimeoutSeconds: 1,
    jwtSecret: SECRET,
    tableName: 'console-browser',
    queuePrefix: 'console-browser-',
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    log: () => {},
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await installMovableClock(page);
  await page.setViewport({ width: 1200, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

async function api(method: string, path: string, json?: unknown, internal = false) {
  const token = internal ? runtime.token('billing', { internal: true }) : runtime.token(DEMO_ACCOUNT);
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    ...(json ? { body: JSON.stringify(json) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function expectAccessible(screen: string): Promise<void> {
  const violations = await axeViolations(page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

const DAY = 24 * 60 * 60 * 1000;
const QUOTE_LIFETIME_MS = 15 * 60 * 1000;

const heading = () => page.$eval('h1', (h) => h.textContent);
const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '');

async function openDialogAndConfirm(reason: string | undefined): Promise<void> {
  await page.waitForSelector('dialog[open]');
  if (reason) await page.select('dialog select', reason);
  await page.click('dialog button[type=submit]');
}

describe('customer console in a browser', () => {
  it('serves the page under a strict CSP and signs in with the keyboard only', async () => {
    const response = await page.goto(`${runtime.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('body[data-ready=true]');
    expect(await heading()).toBe('Sign in');
    await expectAccessible('sign-in');

    await tabTo(page, 'Account ID');
    await page.keyboard.down('Control');
    await page.keyboard.press('A');
    await page.keyboard.up('Control');
    await page.keyboard.type(DEMO_ACCOUNT);
    await page.keyboard.press('Enter');

    await waitForText(page, 'table', 'demo-fresh');
    expect(await heading()).toBe('Unsubscription Management');
    expect(await page.$eval('header', (h) => h.textContent)).toContain(`Signed in as ${DEMO_ACCOUNT}`);
    await expectAccessible('instance list');
  });

  it('filters by instance ID', async () => {
    await page.type('input[name=instanceId]', 'demo-renewing');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    expect(await page.$eval('tbody', (t) => t.textContent)).toContain('demo-renewing');
    await page.$eval('input[name=instanceId]', (i) => {
      (i as HTMLInputElement).value = '';
    });
    await page.click('form.filters button[type=submit]');
    await waitForText(page, 'table', 'demo-fresh');
  });

  it('keeps the order-time range in its fields after Search, so a second Search keeps it', async () => {
    // Only demo-flaky (paid 10 days ago) has an order paid between 15 and 5 days ago.
    const [from, to] = await page.evaluate((day: number) => {
      const local = (ms: number) => {
        const d = new Date(ms);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      };
      return [local(Date.now() - 15 * day), local(Date.now() - 5 * day)];
    }, DAY);
    const setDates = (a: string, b: string) =>
      page.evaluate(
        (x: string, y: string) => {
          (document.querySelector('input[name=orderTimeFrom]') as HTMLInputElement).value = x;
          (document.querySelector('input[name=orderTimeTo]') as HTMLInputElement).value = y;
        },
        a,
        b,
      );
    const rowIds = () => page.$$eval('tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    const dates = () =>
      page.evaluate(() =>
        ['orderTimeFrom', 'orderTimeTo'].map(
          (n) => (document.querySelector(`input[name=${n}]`) as HTMLInputElement).value,
        ),
      );

    await setDates(from ?? '', to ?? '');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    expect(await rowIds()).toEqual([expect.stringContaining('demo-flaky')]);
    expect(await dates()).toEqual([from, to]);

    // Search again without touching the fields: the range still applies.
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[aria-live] p')?.textContent !== 'Loading…');
    expect(await rowIds()).toEqual([expect.stringContaining('demo-flaky')]);
    expect(await dates()).toEqual([from, to]);

    await setDates('', '');
    await page.click('form.filters button[type=submit]');
    await waitForText(page, 'table', 'demo-fresh');
  });

  it('unsubscribes demo-fresh with the keyboard only and follows the order to SUCCEEDED', async () => {
    await tabTo(page, 'Unsubscribe demo-fresh');
    await page.keyboard.press('Enter');
    await waitForText(page, '[data-field=refundType]', 'Full refund');
    expect(await page.$eval('[data-field=refundAmount]', (d) => d.textContent)).toBe('$999.00');
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    expect(text).toContain('I have read the Unsubscription Rules and confirmed the refund amount');
    expect(text).toContain('Data has been backed up and migrated');
    expect(text).toContain('$100.00'); // the voucher that is not refunded
    expect(text).toContain('(UTC+8)');
    expect(await page.$('[role=timer]')).not.toBeNull();
    await expectAccessible('unsubscribe quote');

    // Without the confirmations, the page says so and does not open the dialog.
    await tabTo(page, /^Unsubscribe \|/);
    await page.keyboard.press('Enter');
    await waitForText(page, '[role=alert]', 'tick both confirmations');

    await tabTo(page, 'I have read the Unsubscription Rules');
    await page.keyboard.press('Space');
    await tabTo(page, 'Data has been backed up');
    await page.keyboard.press('Space');
    await tabTo(page, /^Unsubscribe \|/);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    await expectAccessible('confirmation dialog');

    // OTHER needs a text.
    expect(await focusedText()).not.toBe('');
    await tabTo(page, 'Reason');
    await page.select('dialog select', 'OTHER');
    await tabTo(page, 'Confirm unsubscription');
    await page.keyboard.press('Enter');
    await waitForText(page, 'dialog [role=alert]', 'describe your reason');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await page.$eval('dialog textarea', (t) => (t as HTMLTextAreaElement).maxLength)).toBe(500);
    await page.keyboard.type('Moving to another region');
    await tabTo(page, 'Confirm unsubscription');
    await page.keyboard.press('Enter');

    await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
    await waitForText(page, '[data-field=status]', 'SUCCEEDED');
    const main = await page.$eval('main', (m) => m.textContent ?? '');
    expect(main).toContain('Original payment method');
    expect(await page.$$eval('.timeline li', (li) => li.map((l) => l.textContent?.split(' ')[0]))).toEqual([
      'PENDING',
      'PROCESSING',
      'SUCCEEDED',
    ]);
    await expectAccessible('order details');

    const instance = await api('GET', '/instances/demo-fresh');
    expect(instance.body.status).toBe('UNSUBSCRIBED');
  });

  it('cancels the pending renewal of demo-renewing', async () => {
    await page.goto(`${runtime.url}/#/renewals`);
    await waitForText(page, 'table', 'demo-renewing');
    expect(await page.$eval('[role=tab][aria-selected=true]', (t) => t.textContent)).toBe(
      'Unsubscribe Renewal That Does Not Take Effect',
    );
    await expectAccessible('renewals tab');
    await page.click('a[href="#/renewal/demo-renewing"]');
    await page.waitForSelector('input[type=radio]');
    expect(await page.$$eval('input[type=radio]', (r) => r.length)).toBeGreaterThan(0);
    expect(await page.$eval('fieldset', (f) => f.textContent)).toMatch(/refund \$\d/);
    await expectAccessible('renewal quote');
    await page.click('input[name=rulesAndAmountConfirmed]');
    await page.click('.actions button.primary');
    await openDialogAndConfirm(undefined);

    await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
    await waitForText(page, '[data-field=status]', 'SUCCEEDED');
    const instance = await api('GET', '/instances/demo-renewing');
    const orders = instance.body.orders as { type: string; status: string }[];
    expect(orders.filter((o) => o.type === 'RENEW').map((o) => o.status)).toEqual(['CANCELLED']);
  });

  it('shows the refund lines of the expiration time chosen', async () => {
    // NEW for 30 days from 10 days ago, renewal A (1000) and renewal B (1200) after it.
    const start = Date.now() - 10 * DAY;
    const at = (ms: number) => new Date(ms).toISOString();
    const orders = [
      { orderId: 'two-new', type: 'NEW', paid: start, from: start, to: start + 30 * DAY, cash: 3000 },
      {
        orderId: 'two-ra',
        type: 'RENEW',
        paid: start + DAY,
        from: start + 30 * DAY,
        to: start + 60 * DAY,
        cash: 1000,
      },
      {
        orderId: 'two-rb',
        type: 'RENEW',
        paid: start + DAY,
        from: start + 60 * DAY,
        to: start + 90 * DAY,
        cash: 1200,
      },
    ];
    for (const o of orders) {
      const ingested = await api(
        'POST',
        '/internal/orders',
        {
          accountId: DEMO_ACCOUNT,
          instanceId: 'demo-two-renewals',
          product: 'cloud-firewall',
          edition: 'Enterprise',
          billingMethod: 'SUBSCRIPTION',
          currency: 'USD',
          order: {
            orderId: o.orderId,
            type: o.type,
            paidAt: at(o.paid),
            periodStart: at(o.from),
            periodEnd: at(o.to),
            cashPaid: o.cash,
            voucherPaid: 0,
            paymentMethod: { type: 'CARD', reference: 'card-7777' },
          },
        },
        true,
      );
      expect(ingested.status).toBe(201);
    }
    await page.goto(`${runtime.url}/#/renewal/demo-two-renewals`);
    await page.waitForFunction(() => document.querySelectorAll('input[type=radio]').length === 2);
    const shown = () =>
      page.evaluate(() => {
        const checked = document.querySelector('input[type=radio]:checked') as HTMLInputElement;
        const label = checked.labels?.[0]?.querySelector('strong')?.textContent ?? '';
        const rows = Array.from(document.querySelectorAll('table tbody tr')).map(
          (r) => r.querySelector('td')?.textContent ?? '',
        );
        return { label, rows };
      });
    const radios = await page.$$('input[type=radio]');

    await radios[1]?.click(); // the later expiration time cancels renewal B only
    expect(await shown()).toEqual({ label: '$12.00', rows: ['two-rb'] });
    await radios[0]?.click(); // the earlier one cancels both
    expect(await shown()).toEqual({ label: '$22.00', rows: ['two-ra', 'two-rb'] });
    await radios[1]?.click();
    expect(await shown()).toEqual({ label: '$12.00', rows: ['two-rb'] });
  });

  it('says the quote expired when its countdown reaches zero', async () => {
    await page.goto(`${runtime.url}/#/unsubscribe/demo-closed`);
    await page.waitForSelector('[data-field=refundType]');
    try {
      await moveClock(page, QUOTE_LIFETIME_MS + 1000);
      await page.waitForSelector('.refusal[data-code]');
      const refusal = await page.$eval('.refusal[data-code]', (a) => ({
        code: (a as HTMLElement).dataset.code,
        text: a.textContent ?? '',
      }));
      expect(refusal).toEqual({
        code: 'QUOTE_EXPIRED',
        text: expect.stringContaining('The refund quote has expired'),
      });
      // An expired quote cannot be taken to the dialog any more.
      expect(await page.$eval('.actions button.primary', (b) => (b as HTMLButtonElement).disabled)).toBe(
        true,
      );
    } finally {
      await moveClock(page, 0);
    }
  });

  it('closes the confirmation dialog when the quote expires and offers a new quote', async () => {
    await page.goto(`${runtime.url}/#/unsubscribe/demo-two-renewals`);
    await page.waitForSelector('[data-field=refundType]');
    await page.click('input[name=rulesAndAmountConfirmed]');
    await page.click('input[name=dataBackupConfirmed]');
    await page.click('.actions button.primary');
    await page.waitForSelector('dialog[open]');
    try {
      await moveClock(page, QUOTE_LIFETIME_MS + 1000);
      await page.waitForFunction(() => document.querySelector('dialog[open]') === null);
      await page.waitForSelector('[data-code=QUOTE_EXPIRED]');
      expect(await focusedText()).toBe('Get a new quote');
    } finally {
      await moveClock(page, 0);
    }
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-code=QUOTE_EXPIRED]') === null);
    await page.waitForSelector('[data-field=refundType]');
    expect(await page.$('dialog[open]')).toBeNull();
  });

  it('shows the abnormal-state refusal with its reasons', async () => {
    const flagged = await api(
      'PUT',
      '/internal/instances/demo-flaky/flags',
      { accountId: DEMO_ACCOUNT, securityLocked: true },
      true,
    );
    expect(flagged.status).toBe(200);
    await page.goto(`${runtime.url}/#/unsubscribe/demo-flaky`);
    await page.waitForSelector('[data-code=RESOURCE_INFO_UNAVAILABLE]');
    const alert = await page.$eval('[role=alert]', (a) => a.textContent);
    expect(alert).toContain('Failed to obtain unsubscription resource information');
    expect(alert).toContain('locked for security reasons');
    await expectAccessible('refusal');
  });

  it('makes exactly one order from a network error, its retry and a double click, all with one key', async () => {
    const keys: string[] = [];
    const onRequest = (request: { url(): string; method(): string; headers(): Record<string, string> }) => {
      if (request.method() === 'POST' && request.url().endsWith('/unsubscriptions')) {
        keys.push(request.headers()['idempotency-key'] ?? '');
      }
    };
    page.on('request', onRequest);
    await page.goto(`${runtime.url}/#/unsubscribe/demo-closed`);
    await page.waitForSelector('[data-field=refundType]');
    await page.click('input[name=rulesAndAmountConfirmed]');
    await page.click('input[name=dataBackupConfirmed]');
    await page.click('.actions button.primary');
    await page.waitForSelector('dialog[open]');

    await page.setOfflineMode(true);
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('dialog [data-code=NETWORK]');
    await page.setOfflineMode(false);

    await page.click('dialog button[type=submit]', { count: 2 });
    await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
    await waitForText(page, '[data-field=status]', 'SUCCEEDED');
    page.off('request', onRequest);

    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    const orders = await api('GET', '/unsubscribe-orders?instanceId=demo-closed');
    expect((orders.body.items as unknown[]).length).toBe(1);
  });

  it('shows the balance with the entry of the refused refund', async () => {
    await page.goto(`${runtime.url}/#/balance`);
    await page.waitForSelector('table');
    const balance = await api('GET', '/account/balance');
    const entries = balance.body.entries as { unsubscribeOrderId: string }[];
    expect(entries.length).toBe(1);
    expect(await page.$eval('table', (t) => t.textContent)).toContain(entries[0]?.unsubscribeOrderId);
    expect(await page.$eval('main ul', (u) => u.textContent)).toMatch(/^\$\d/);
    await expectAccessible('balance');
    await page.goto(`${runtime.url}/#/orders`);
    await page.waitForSelector('table');
    expect(await page.$$eval('tbody tr', (r) => r.length)).toBe(3);
    await expectAccessible('unsubscribe orders');
  });
});
