/**
 * The customer console in headless Chromium against a local runtime in which one function is
 * the real one held back by a gate: "not yet" (a note being issued, an order still settling)
 * becomes a state a test controls instead of a race. Used by the order page's browser tests.
 */
import type { Browser, Page } from 'puppeteer-core';
import { inject } from 'vitest';
import type { LocalFunctionName, LocalHandler } from '#infra/local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { launchBrowser } from '#test/support/browser.ts';

export interface Gate {
  /** Lets every held call, and every later one, through. */
  open: () => void;
  /** `load()`'s handler, called only once the gate is open. */
  hold: (load: () => Promise<LocalHandler>) => LocalHandler;
}

export function gate(): Gate {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    open: () => open(),
    hold: (load) => async (event, context) => {
      await opened;
      return (await load())(event, context);
    },
  };
}

export interface GatedConsole {
  runtime: LocalRuntime;
  browser: Browser;
  page: Page;
}

/** A seeded runtime (no schedules) with `handlers` in place of the real ones, and a 1200 × 900 page. */
export async function startGatedConsole(
  name: string,
  handlers: Partial<Record<LocalFunctionName, LocalHandler>>,
): Promise<GatedConsole> {
  const runtime = await startLocalRuntime({
    seed: true,
    schedule: false,
    visibilityTimeoutSeconds: 1,
    tableName: name,
    queuePrefix: `${name}-`,
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    handlers,
    log: () => {},
  });
  const browser = await launchBrowser();
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  return { runtime, browser, page };
}

/** The API as the demo account. */
export async function demoApi(
  runtime: LocalRuntime,
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${runtime.token(DEMO_ACCOUNT)}`,
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(json ? { body: JSON.stringify(json) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected freely
  return { status: response.status, body: (await response.json()) as any };
}
