/// <reference lib="dom" />
/**
 * The console's OIDC sign-in (authorization code + PKCE) in headless Chromium, against a fake
 * provider on loopback (test/support/fake-oidc.ts) and the real local runtime serving the page
 * with `auth.kind = "oidc"`: the provider's access token is signed with the runtime's secret,
 * so the API accepts it as it accepts any local token. A forged state and a wrong code
 * verifier are refused by the page with a clear message and leave the customer signed out.
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { axeViolations, launchBrowser, waitForText } from '#test/support/browser.ts';
import { type FakeOidcProvider, startFakeOidcProvider } from '#test/support/fake-oidc.ts';

const SECRET = 'console-oidc-secret';
/** sessionStorage keys of web/src/auth.ts (STORAGE_KEY, PENDING_KEY). */
const SESSION_KEY = 'refund-console.session';
const PENDING_KEY = 'refund-console.oidc-pending';

let provider: FakeOidcProvider;
let runtime: LocalRuntime;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  provider = await startFakeOidcProvider({ accessTokenSecret: SECRET, account: DEMO_ACCOUNT });
  runtime = await startLocalRuntime({
    seed: true,
    schedule: false,
    jwtSecret: SECRET,
    tableName: 'console-oidc',
    queuePrefix: 'console-oidc-',
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    consoleAuth: { kind: 'oidc', issuer: provider.issuer, clientId: provider.clientId },
    log: () => {},
  });
  provider.redirectUris.add(`${runtime.url}/`);
  browser = await launchBrowser();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await provider?.stop();
});

const heading = () => page.$eval('h1', (h) => h.textContent);
const stored = (key: string) => page.evaluate((k: string) => sessionStorage.getItem(k), key);

async function openConsole(): Promise<void> {
  await page.goto(`${runtime.url}/`);
  await page.waitForSelector('body[data-ready=true]');
}

/** Signs in up to the provider's login page; returns its link back to the console (code + state). */
async function startSignIn(): Promise<URL> {
  await openConsole();
  expect(await heading()).toBe('Sign in');
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  const approve = await page.waitForSelector('#approve');
  return new URL((await approve?.evaluate((a) => (a as HTMLAnchorElement).href)) ?? '');
}

/** Back at the console with `callback`; waits for the page to have dealt with it. */
async function returnTo(callback: URL): Promise<void> {
  await page.goto(callback.href);
  await page.waitForSelector('body[data-ready=true]');
}

describe('console OIDC sign-in (code + PKCE) in a browser', () => {
  it('serves config.json with the issuer and a CSP that lets the page reach it', async () => {
    const response = await page.goto(`${runtime.url}/config.json`);
    expect(await response?.json()).toEqual({
      apiUrl: '',
      auth: { kind: 'oidc', issuer: provider.issuer, clientId: provider.clientId },
    });
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain(`connect-src 'self' ${new URL(provider.issuer).origin};`);
    expect(csp).not.toContain('unsafe');
  });

  it('signs in through the provider with an S256 challenge and lists the instances', async () => {
    await openConsole();
    expect(await heading()).toBe('Sign in');
    const violations = await axeViolations(page);
    expect(violations).toEqual([]);

    // The provider shows its login page only for a code flow with an S256 challenge to a registered URI.
    const callback = await startSignIn();
    expect(callback.origin).toBe(runtime.url);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBeTruthy();

    await Promise.all([page.waitForNavigation(), page.click('#approve')]);
    await waitForText(page, 'table', 'demo-fresh');
    expect(await heading()).toBe('Unsubscription Management');
    expect(await page.$eval('header', (h) => h.textContent)).toContain(`Signed in as ${DEMO_ACCOUNT}`);
    // The single-use code is gone from the address bar; the verifier from storage.
    expect(new URL(page.url()).search).toBe('');
    expect(await stored(PENDING_KEY)).toBeNull();
    // The session is in sessionStorage (the tab), nothing in localStorage.
    const session = JSON.parse((await stored(SESSION_KEY)) ?? '{}') as { account?: string; token?: string };
    expect(session.account).toBe(DEMO_ACCOUNT);
    expect(session.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(provider.refusals).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('signs out: the session is forgotten and the sign-in screen is back', async () => {
    await page.click('header nav button');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Sign in');
    expect(await stored(SESSION_KEY)).toBeNull();
    await openConsole();
    expect(await heading()).toBe('Sign in');
  });

  it('refuses an answer whose state is not the one this tab sent, without exchanging the code', async () => {
    const callback = await startSignIn();
    const requestsBefore = provider.tokenRequests;
    callback.searchParams.set('state', 'forged-state');
    await returnTo(callback);
    await waitForText(page, '[role=alert]', 'state mismatch');
    expect(await heading()).toBe('Sign in');
    expect(provider.tokenRequests).toBe(requestsBefore);
    expect(await stored(SESSION_KEY)).toBeNull();
    expect(new URL(page.url()).search).toBe('');
  });

  it('refuses a sign-in whose code verifier does not match its challenge, with the provider’s reason', async () => {
    const callback = await startSignIn();
    // Back in the console's tab before the redirect: replace the verifier the page keeps.
    await openConsole();
    await page.evaluate((key: string) => {
      const pending = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { codeVerifier: string };
      pending.codeVerifier = 'a-different-verifier-of-a-valid-length-0123456789';
      sessionStorage.setItem(key, JSON.stringify(pending));
    }, PENDING_KEY);
    await returnTo(callback);
    await waitForText(page, '[role=alert]', 'refused to exchange the sign-in code: invalid_grant');
    expect(await page.$eval('[role=alert]', (a) => a.textContent)).toContain('PKCE verification failed');
    expect(await heading()).toBe('Sign in');
    expect(provider.refusals).toEqual([
      'PKCE verification failed: the code_verifier does not match the code_challenge',
    ]);
    expect(await stored(SESSION_KEY)).toBeNull();
  });

  it('shows the provider’s refusal when it sends the customer back with an error', async () => {
    const callback = await startSignIn();
    callback.searchParams.delete('code');
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('error_description', 'The customer declined');
    const requestsBefore = provider.tokenRequests;
    await returnTo(callback);
    await waitForText(page, '[role=alert]', 'refused the sign-in: access_denied (The customer declined)');
    expect(provider.tokenRequests).toBe(requestsBefore);
    expect(await stored(SESSION_KEY)).toBeNull();
  });

  it('refuses a callback when no sign-in was started in this tab', async () => {
    const callback = await startSignIn();
    await openConsole();
    await page.evaluate((key: string) => sessionStorage.removeItem(key), PENDING_KEY);
    await returnTo(callback);
    await waitForText(page, '[role=alert]', 'no sign-in was started in this tab');
    expect(await stored(SESSION_KEY)).toBeNull();
  });
});
