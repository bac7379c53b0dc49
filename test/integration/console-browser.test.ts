/// <reference lib="dom" />
/**
 * The customer console in headless Chromium against the real local runtime (seeded demo
 * data, real handlers, the refund poller): keyboard-only unsubscribe to Refunded with the
 * product's wording and the dialog's summary, renewal cancellation, the quote running out,
 * refusals with their next step, a double click and a network-error retry making exactly one
 * order, plain words instead of codes, every time with its zone, the pending-renewal tab
 * across pages, a phone-width layout, and axe-core with no violations on every screen. The
 * tests run in order on one page (each builds on the demo data the previous ones left).
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
const mainText = () => page.$eval('main', (m) => m.textContent ?? '');
/** The buttons with exactly this text (there can be two primary buttons: a refusal's and the page's). */
const buttonNamed = (text: string) =>
  page.$$eval(
    'button',
    (bs, t) => bs.filter((b) => b.textContent === t).map((b) => ({ disabled: b.disabled })),
    text,
  );

/** Shows a screen by its hash, loading it afresh even when it is the one on show. */
async function visit(hash: string, selector: string): Promise<void> {
  if (new URL(page.url()).hash === hash) await page.reload();
  else await page.goto(`${runtime.url}/${hash}`);
  await page.waitForSelector(selector);
}

async function openDialogAndConfirm(reason: string | undefined): Promise<void> {
  await page.waitForSelector('dialog[open]');
  if (reason) await page.select('dialog select', reason);
  await page.click('dialog button[type=submit]');
}

/** API codes that must never reach the customer's eyes. */
const CODES =
  /\b(ACTIVE|UNSUBSCRIBED|PENDING|PROCESSING|SUCCEEDED|NEEDS_ATTENTION|SETTLED|ORIGINAL_PAYMENT_METHOD|ACCOUNT_BALANCE|FULL_REFUND|PARTIAL_REFUND|RENEWAL_CANCELLATION|CANCEL_RENEWAL|PROVIDER_REFUSED|REFUND_TO_BALANCE|NO_LONGER_NEEDED|TOO_EXPENSIVE)\b/;

async function expectPlainWords(screen: string): Promise<void> {
  const text = await mainText();
  expect({ screen, code: CODES.exec(text)?.[0] }).toEqual({ screen, code: undefined });
}

/** Every time shown names its zone (the customer's, or UTC+8). */
async function expectZonedTimes(screen: string): Promise<void> {
  const times = await page.$$eval('main time', (ts) => ts.map((t) => t.textContent ?? ''));
  expect(times.length, screen).toBeGreaterThan(0);
  expect(
    times.filter((t) => !/(UTC|GMT)/.test(t)),
    screen,
  ).toEqual([]);
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
    expect(await page.$$eval('header nav a', (as) => as.map((a) => a.textContent))).toEqual([
      'Unsubscription Management',
      'Unsubscribe Orders',
      'Account Balance',
    ]);
    expect(await page.$$eval('[role=tab]', (ts) => ts.map((t) => t.textContent))).toEqual([
      'Unsubscribe Resource',
      'Unsubscribe Renewal That Does Not Take Effect',
    ]);
    expect(await page.$eval('tbody', (t) => t.textContent)).toContain('Active');
    // While it applies, the list says until when a full refund is available: demo-fresh only
    // (bought 2 days ago), at the window end the API gives (the purchase + 5 days), with its zone.
    const withNote = await page.$$eval('tbody tr', (rows) =>
      rows.map((r) => r.textContent ?? '').filter((t) => t.includes('Full refund available until')),
    );
    expect(withNote).toEqual([expect.stringContaining('demo-fresh')]);
    const listed = (await api('GET', '/instances')).body.items as {
      instanceId: string;
      fullRefundUntil: string | null;
      orders: { paidAt: string }[];
    }[];
    const fresh = listed.find((i) => i.instanceId === 'demo-fresh');
    expect(Date.parse(fresh?.fullRefundUntil ?? '') - Date.parse(fresh?.orders[0]?.paidAt ?? '')).toBe(
      5 * DAY,
    );
    const shownUntil = await page.$eval('tbody td .note time', (t) => ({
      at: t.getAttribute('datetime'),
      text: t.textContent ?? '',
    }));
    expect(shownUntil.at).toBe(fresh?.fullRefundUntil);
    expect(shownUntil.text).toMatch(/(UTC|GMT)/);
    await expectPlainWords('instance list');
    await expectZonedTimes('instance list');
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

  it('unsubscribes demo-fresh with the keyboard only and follows the order until it is refunded', async () => {
    await tabTo(page, 'Unsubscribe demo-fresh');
    await page.keyboard.press('Enter');
    await waitForText(page, '[data-field=refundType]', 'Full refund');
    expect(await page.$eval('[data-field=refundAmount]', (d) => d.textContent)).toBe('$999.00');
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    expect(await heading()).toBe('Unsubscribe Resource');
    expect(text).toContain('I have read the Unsubscription Rules and confirmed the refund amount');
    expect(text).toContain(
      'I have confirmed that data for the instance to be unsubscribed has been backed up and migrated',
    );
    expect(text).toContain('$100.00'); // the voucher that is not refunded
    expect(text).toContain('UTC+8');
    // Where and when the money arrives, before confirming.
    expect(text).toContain('Within two business days: by ');
    expect(text).toContain('$999.00 to your original payment method');
    expect(text).toContain('credited to your account balance instead');
    expect(await page.$('[role=timer]')).not.toBeNull();
    // How is this calculated? Closed until opened, then the rule, the amount and the policy version.
    expect(await page.$eval('details.explain', (d) => (d as HTMLDetailsElement).open)).toBe(false);
    await page.click('details.explain summary');
    const explained = await page.$eval('details.explain', (d) => d.textContent ?? '');
    expect(explained).toContain('How is this calculated?');
    expect(explained).toContain('Full refund: the whole $999.00 paid in cash.');
    expect(explained).toContain('$100.00 paid by voucher is not refundable.');
    expect(explained).toContain('Rules: security-center/international, version 1.');
    await expectPlainWords('unsubscribe quote');
    await expectZonedTimes('unsubscribe quote');
    await expectAccessible('unsubscribe quote');

    // Without the confirmations, the page says so and does not open the dialog.
    await tabTo(page, /^Unsubscribe \|/);
    await page.keyboard.press('Enter');
    await waitForText(page, '[role=alert]', 'tick both confirmations');

    await tabTo(page, 'I have read the Unsubscription Rules');
    await page.keyboard.press('Space');
    await tabTo(page, 'has been backed up and migrated');
    await page.keyboard.press('Space');
    await tabTo(page, /^Unsubscribe \|/);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    await expectAccessible('confirmation dialog');

    // The dialog says what is about to happen, in the product's words.
    const dialog = await page.$eval('dialog', (d) => d.textContent ?? '');
    expect(await page.$eval('dialog h2', (h) => h.textContent)).toBe('Confirm Unsubscription Information');
    for (const part of [
      'cloud-firewall (Enterprise)',
      'demo-fresh',
      'Full refund',
      '$999.00 to your original payment method',
      'Within two business days, by',
      'Configuration data kept until',
      'Log analysis data kept until',
      'Reason for Unsubscription',
    ]) {
      expect(dialog).toContain(part);
    }
    expect(await page.$eval('[data-field=dialogAmount]', (d) => d.textContent)).toBe('$999.00');
    expect(await page.$$eval('dialog button', (bs) => bs.map((b) => b.textContent))).toEqual([
      'OK',
      'Cancel',
    ]);

    // No reason is chosen for the customer: OK without one asks for it.
    expect(await focusedText()).not.toBe('');
    expect(await page.$eval('dialog select', (s) => (s as HTMLSelectElement).value)).toBe('');
    await tabTo(page, /^OK \|/);
    await page.keyboard.press('Enter');
    await waitForText(page, 'dialog [role=alert]', 'choose a reason');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SELECT');

    // OTHER needs a text.
    await page.select('dialog select', 'OTHER');
    await tabTo(page, /^OK \|/);
    await page.keyboard.press('Enter');
    await waitForText(page, 'dialog [role=alert]', 'describe your reason');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await page.$eval('dialog textarea', (t) => (t as HTMLTextAreaElement).maxLength)).toBe(500);
    await page.keyboard.type('Moving to another region');
    await tabTo(page, /^OK \|/);
    await page.keyboard.press('Enter');

    await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
    await waitForText(page, '[data-field=status]', 'Refunded');
    expect(await heading()).toBe('Unsubscribe Order Details');
    const main = await mainText();
    for (const part of [
      'Original payment method',
      'Unsubscribe resource', // the type
      'Full refund',
      'Other', // the reason, and its text
      'Moving to another region',
      'cloud-firewall (Enterprise)',
    ]) {
      expect(main).toContain(part);
    }
    expect(await page.$$eval('.timeline li strong', (li) => li.map((l) => l.textContent))).toEqual([
      'Pending',
      'Processing',
      'Refunded',
    ]);
    // The order keeps its quote's explanation, with the deadlines fixed at confirmation.
    const orderExplained = await page.$eval('details.explain', (d) => d.textContent ?? '');
    expect(orderExplained).toContain('Full refund: the whole $999.00 paid in cash.');
    expect(orderExplained).toMatch(/Due by .* \(UTC\+8\): the end of the 2 business days after /);
    expect(orderExplained).toContain('Configuration data is kept until');
    await expectPlainWords('order details');
    await expectZonedTimes('order details');
    await expectAccessible('order details');

    const instance = await api('GET', '/instances/demo-fresh');
    expect(instance.body.status).toBe('UNSUBSCRIBED');
    // The full refund is used: the list no longer offers one.
    await visit('#/resources', 'table');
    await waitForText(page, 'table', 'demo-fresh');
    expect(await page.$eval('tbody', (t) => t.textContent)).not.toContain('Full refund available');
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
    expect(await heading()).toBe('Unsubscribe from Renewal');
    expect(await page.$$eval('input[type=radio]', (r) => r.length)).toBe(1);
    const instance = (await api('GET', '/instances/demo-renewing')).body;
    const renewal = (instance.orders as { type: string; periodStart: string }[]).find(
      (o) => o.type === 'RENEW',
    );
    // The rules it asks to confirm, the current and the updated expiration time.
    expect(await mainText()).toContain('Only renewals that have not taken effect are cancelled');
    expect(await page.$eval('[data-field=currentExpiration] time', (t) => t.getAttribute('datetime'))).toBe(
      instance.expiresAt,
    );
    expect(await page.$eval('fieldset legend', (l) => l.textContent)).toBe('Updated Expiration Time');
    expect(await page.$eval('fieldset label time', (t) => t.getAttribute('datetime'))).toBe(
      renewal?.periodStart,
    );
    expect(await page.$eval('fieldset', (f) => f.textContent)).toMatch(
      /1 renewal cancelled, refund \$279\.00/,
    );
    await expectPlainWords('renewal quote');
    await expectZonedTimes('renewal quote');
    await expectAccessible('renewal quote');
    await page.click('input[name=rulesAndAmountConfirmed]');
    expect(await buttonNamed('Unsubscribe from Renewal')).toEqual([{ disabled: false }]);
    await page.click('.actions button.primary');
    await page.waitForSelector('dialog[open]');
    const dialog = await page.$eval('dialog', (d) => d.textContent ?? '');
    expect(dialog).toContain('Current Expiration Time');
    expect(dialog).toContain('Updated Expiration Time');
    expect(dialog).toContain('Reason for Unsubscription (optional)');
    expect(await page.$eval('[data-field=dialogAmount]', (d) => d.textContent)).toBe('$279.00');
    await openDialogAndConfirm(undefined);

    await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
    await waitForText(page, '[data-field=status]', 'Refunded');
    expect(await mainText()).toContain('Unsubscribe from renewal');
    const after = await api('GET', '/instances/demo-renewing');
    const orders = after.body.orders as { type: string; status: string }[];
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
          (r) => r.querySelector('td .id')?.textContent ?? '',
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
      expect(await buttonNamed('Unsubscribe')).toEqual([{ disabled: true }]);
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
    expect(alert).toContain('Contact support to have the security lock reviewed.');
    expect(await page.$eval('[role=alert] a', (a) => a.textContent)).toBe(
      'Back to Unsubscription Management',
    );
    expect(await buttonNamed('Get a new quote')).toEqual([]);
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
    await page.select('dialog select', 'TOO_EXPENSIVE');

    await page.setOfflineMode(true);
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('dialog [data-code=NETWORK]');
    await page.setOfflineMode(false);

    await page.click('dialog button[type=submit]', { count: 2 });
    await page.waitForFunction(() => location.hash.startsWith('#/orders/'));
    await waitForText(page, '[data-field=status]', 'Refunded');
    page.off('request', onRequest);
    // The closed card refused the refund: the line went to the balance, and the page says why.
    await waitForText(page, '.why', 'Your payment method refused the refund');
    expect(await page.$eval('tbody', (t) => t.textContent)).toContain('Account balance');
    await expectPlainWords('order details, balance line');

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
    await expectPlainWords('unsubscribe orders');
    await expectZonedTimes('unsubscribe orders');
    await expectAccessible('unsubscribe orders');
  });

  it('offers the order list, not a retry, when an order is not in the account', async () => {
    await visit('#/orders/uo-not-in-this-account', '[data-code=NOT_FOUND]');
    const alert = await page.$eval('[role=alert]', (a) => a.textContent ?? '');
    expect(alert).toContain('This unsubscribe order was not found in your account.');
    expect(
      await page.$$eval('[role=alert] a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')])),
    ).toEqual([['All unsubscribe orders', '#/orders']]);
    expect(await buttonNamed('Try again')).toEqual([]);
    await expectAccessible('order not found');
  });

  it('shows focus rings to keyboard users only', async () => {
    const focused = () =>
      page.evaluate(() => ({
        tag: document.activeElement?.tagName,
        outline: getComputedStyle(document.activeElement as Element).outlineStyle,
      }));
    await visit('#/unsubscribe/demo-two-renewals', '[data-field=refundType]');
    expect(await focused()).toEqual({ tag: 'H1', outline: 'none' }); // focused by the page on showing it
    await page.click('input[name=rulesAndAmountConfirmed]');
    expect(await focused()).toEqual({ tag: 'INPUT', outline: 'none' }); // a click
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ tag: 'INPUT', outline: 'solid' }); // the keyboard
  });

  it('fits a 390 px wide screen: nothing wider than the screen, tables shown as cards', async () => {
    const orders = await api('GET', '/unsubscribe-orders?instanceId=demo-closed');
    const orderId = (orders.body.items as { unsubscribeOrderId: string }[])[0]?.unsubscribeOrderId;
    await page.setViewport({ width: 390, height: 844 });
    try {
      for (const [hash, selector] of [
        ['#/resources', 'table'],
        ['#/renewals', 'table'],
        ['#/unsubscribe/demo-two-renewals', '[data-field=refundType]'],
        ['#/renewal/demo-two-renewals', 'input[type=radio]'],
        ['#/orders', 'table'],
        [`#/orders/${orderId}`, '.why'],
        ['#/balance', 'table'],
      ] as const) {
        await visit(hash, selector);
        const widths = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth,
          widest: Math.max(
            // What is drawn: visually hidden text (column heads read to screen readers) is not.
            ...Array.from(document.querySelectorAll('main *'))
              .filter((e) => !e.closest('thead, .sr-only'))
              .map((e) => Math.ceil(e.getBoundingClientRect().right)),
          ),
          tableDisplay: getComputedStyle(document.querySelector('table') ?? document.body).display,
        }));
        expect({ hash, ...widths }).toEqual({
          hash,
          page: 390,
          widest: expect.any(Number),
          tableDisplay: 'block',
        });
        expect(widths.widest, hash).toBeLessThanOrEqual(390);
        await expectAccessible(`${hash} at 390 px`);
      }
      // The dialog fits too.
      await visit('#/unsubscribe/demo-two-renewals', '[data-field=refundType]');
      await page.click('input[name=rulesAndAmountConfirmed]');
      await page.click('input[name=dataBackupConfirmed]');
      await page.click('.actions button.primary');
      await page.waitForSelector('dialog[open]');
      const dialog = await page.$eval('dialog', (d) => {
        const r = d.getBoundingClientRect();
        return { left: r.left >= 0, right: r.right <= 390, wide: d.scrollWidth <= d.clientWidth };
      });
      expect(dialog).toEqual({ left: true, right: true, wide: true });
      await page.click('dialog button:not([type=submit])'); // Cancel
    } finally {
      await page.setViewport({ width: 1200, height: 900 });
    }
  });

  it('lists every instance with a pending renewal on the renewal tab, across the pages of the list', async () => {
    // 12 instances of another account; renewals not yet started on p-03, p-11 and p-12, so
    // two of them are beyond the first page of 10 instances.
    const account = 'acct-many-instances';
    const start = Date.now() - 5 * DAY;
    const at = (ms: number) => new Date(ms).toISOString();
    const ingest = async (instanceId: string, order: Record<string, unknown>) => {
      const answer = await api(
        'POST',
        '/internal/orders',
        {
          accountId: account,
          instanceId,
          product: 'cloud-firewall',
          edition: 'Basic',
          billingMethod: 'SUBSCRIPTION',
          currency: 'USD',
          order: { voucherPaid: 0, paymentMethod: { type: 'CARD', reference: 'card-1234' }, ...order },
        },
        true,
      );
      expect(answer.status).toBe(201);
    };
    for (let n = 1; n <= 12; n++) {
      const id = `p-${String(n).padStart(2, '0')}`;
      await ingest(id, {
        orderId: `${id}-new`,
        type: 'NEW',
        paidAt: at(start),
        periodStart: at(start),
        periodEnd: at(start + 30 * DAY),
        cashPaid: 1000,
      });
      if ([3, 11, 12].includes(n)) {
        await ingest(id, {
          orderId: `${id}-renew`,
          type: 'RENEW',
          paidAt: at(start + DAY),
          periodStart: at(start + 30 * DAY),
          periodEnd: at(start + 60 * DAY),
          cashPaid: 900,
        });
      }
    }
    const ids = () => page.$$eval('tbody tr td .id', (cells) => cells.map((c) => c.textContent));

    await page.click('header nav button'); // Sign out
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Sign in');
    await page.$eval('input[name=accountId]', (i) => {
      (i as HTMLInputElement).value = '';
    });
    await page.type('input[name=accountId]', account);
    await page.click('form button[type=submit]');
    await waitForText(page, 'table', 'p-01');
    expect((await ids()).length).toBe(10);
    expect(await buttonNamed('Next page')).toEqual([{ disabled: false }]);

    await page.click('#tab-renewals');
    await page.waitForFunction(
      () => document.querySelector('[role=tab][aria-selected=true]')?.id === 'tab-renewals',
    );
    await waitForText(page, '.results', 'p-03');
    expect(await ids()).toEqual(['p-03', 'p-11', 'p-12']);
    expect(await buttonNamed('Next page')).toEqual([]);
    expect(await page.$eval('tbody', (t) => t.textContent)).toContain('1 renewal');
    await expectAccessible('renewals tab across pages');
  });

  it('shows the local clock in the header once it has been moved', async () => {
    const clock = async (body?: unknown) => {
      const answer = await fetch(`${runtime.url}/local/clock`, {
        method: body ? 'POST' : 'GET',
        ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
      expect(answer.status).toBe(200);
      return (await answer.json()) as { now: string; moved: boolean };
    };
    await visit('#/resources', 'table');
    expect(await page.$('header .clock')).toBeNull();
    try {
      const moved = await clock({ offset: 'P5D' });
      await visit('#/renewals', 'table'); // every screen reads the clock again
      await waitForText(page, 'header .clock', 'Local clock 5 days ahead');
      const shown = await page.$eval('header .clock time', (t) => t.getAttribute('datetime') ?? '');
      expect(Date.parse(shown) - Date.parse(moved.now)).toBeGreaterThanOrEqual(0);
      expect(await page.$eval('header .clock time', (t) => t.textContent)).toMatch(/(UTC|GMT)/);
      await expectAccessible('header with the moved clock');
    } finally {
      await clock({ reset: true });
    }
    await visit('#/resources', 'table');
    await page.waitForFunction(() => document.querySelector('header .clock') === null);
  });
});
