/// <reference lib="dom" />
/**
 * Headless Chromium for the console's browser tests and screenshots (puppeteer-core with the
 * system's Chromium: Debian's `chromium` package, or CHROMIUM_PATH). No Chromium is an error
 * with the fix in it, never a skipped test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const found = [env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
  if (!found) {
    throw new Error(
      'Chromium not found: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH. The console browser tests do not skip.',
    );
  }
  return found;
}

export function launchBrowser(): Promise<Browser> {
  const root = process.getuid?.() === 0;
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core's violations on the page as it is now. The source is evaluated through the
 * DevTools protocol, which the page's Content-Security-Policy does not govern, so the page
 * keeps its strict CSP.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/** Presses Tab (at most `max` times) until the focused element's text or label matches. */
export async function tabTo(page: Page, text: string | RegExp, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return '';
      const labels = (el as HTMLInputElement).labels;
      return [el.textContent ?? '', labels?.[0]?.textContent ?? '', el.getAttribute('aria-label') ?? ''].join(
        ' | ',
      );
    });
    if (typeof text === 'string' ? label.includes(text) : text.test(label)) return;
  }
  throw new Error(`Tab never reached an element labelled ${String(text)}`);
}

/** Waits until the element matching `selector` has `text` in its text. */
export async function waitForText(
  page: Page,
  selector: string,
  text: string,
  timeout = 30_000,
): Promise<void> {
  await page.waitForFunction(
    (s: string, t: string) => document.querySelector(s)?.textContent?.includes(t) ?? false,
    { timeout },
    selector,
    text,
  );
}

/**
 * Lets a test move the page's clock (`Date.now`) forward or back without waiting: installed
 * before the page's own script runs (through the DevTools protocol, which the page's CSP does
 * not govern). The page's timers still fire in real time; what they read is the moved clock.
 */
export async function installMovableClock(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const realNow = Date.now.bind(Date);
    let offset = 0;
    Date.now = () => realNow() + offset;
    Object.defineProperty(window, '__moveClock', {
      value: (ms: number) => {
        offset = ms === 0 ? 0 : offset + ms;
      },
    });
  });
}

/** Moves the page's clock by `ms` (0 puts it back to the real time). */
export async function moveClock(page: Page, ms: number): Promise<void> {
  await page.evaluate((by: number) => {
    (window as unknown as { __moveClock: (ms: number) => void }).__moveClock(by);
  }, ms);
}
