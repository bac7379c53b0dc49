/**
 * The page around the screens: the header (who is signed in, the console's navigation), the
 * main area a screen is shown in, the timers of the screen on show, and the hash router.
 * Screens receive the App and never touch the page outside `main`.
 */
import type { Api } from './api.ts';
import type { Auth } from './auth.ts';
import { type Child, h, mount } from './dom.ts';
import { localTime } from './time.ts';
import { button, heading } from './ui.ts';

export interface App {
  api: Api;
  auth: Auth;
  /**
   * Shows a screen: clears the last one's timers, replaces the main area with a new screen
   * element, focuses its h1, and returns the element (detached once another screen shows, so
   * an answer arriving late changes nothing on show).
   */
  show(...children: (Child | Child[])[]): HTMLElement;
  /**
   * Replaces what `screen` shows once it has loaded, keeping its timers, and focuses its new
   * h1 — unless another screen is on show by now.
   */
  render(screen: HTMLElement, ...children: (Child | Child[])[]): void;
  /** Keeps a timer (interval or timeout) of the screen on show; cleared when it changes. */
  keepTimer(id: number): void;
  /** The service's time as far as the page knows: its own clock, plus the local clock's lead. */
  now(): number;
}

/** The local runtime's clock (`GET /local/clock`), moved ahead of the real time or not. */
export interface LocalClock {
  now: string;
  moved: boolean;
  offset: string;
  offsetMs: number;
}

export interface AppOptions {
  /** Reads the local runtime's clock; only given when the page runs on the local runtime. */
  localClock?: () => Promise<LocalClock>;
}

/** `432000000` → "5 days", `93600000` → "1 day 2 hours" (to the minute). */
export function leadInWords(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const parts: [number, string][] = [
    [Math.floor(minutes / 1440), 'day'],
    [Math.floor((minutes % 1440) / 60), 'hour'],
    [minutes % 60, 'minute'],
  ];
  const words = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`);
  return words.length > 0 ? words.join(' ') : 'less than a minute';
}

/** A screen, given the `:name` segments of its route (`orders/:id` → `{id}`). */
export type Screen = (app: App, params: Record<string, string>) => void | Promise<void>;

export interface Routes {
  /** Route patterns (`'orders'`, `'orders/:id'`) and their screens. */
  screens: Record<string, Screen>;
  /** The route of `#/` and of any hash no pattern matches. */
  home: string;
  /** The header's links: label, hash, and the first path segments of the screens it covers. */
  nav: [string, string, string[]][];
  /** The name in the header (default "Refund console"). */
  brand?: string;
}

/** The screen and parameters of a hash (`#/orders/o-1` → the `orders/:id` screen, `{id: 'o-1'}`). */
export function match(
  screens: Record<string, Screen>,
  hash: string,
): { screen: Screen; params: Record<string, string> } | undefined {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // a malformed %-escape
  }
  for (const [pattern, screen] of Object.entries(screens)) {
    const names = pattern.split('/');
    if (names.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = names.every((name, i) => {
      const part = parts[i] ?? '';
      if (name.startsWith(':')) params[name.slice(1)] = part;
      return name.startsWith(':') || name === part;
    });
    if (fits) return { screen, params };
  }
  return undefined;
}

export function createApp(
  root: HTMLElement,
  api: Api,
  auth: Auth,
  routes: Routes,
  options: AppOptions = {},
): { route(): void } {
  let timers: number[] = [];
  let lead = 0;
  const app: App = {
    api,
    auth,
    show(...children) {
      for (const timer of timers) clearInterval(timer);
      timers = [];
      const screen = h('div', { className: 'screen' }, ...children);
      mount(document.getElementById('main') as HTMLElement, screen);
      screen.querySelector('h1')?.focus();
      return screen;
    },
    render(screen, ...children) {
      if (!screen.isConnected) return;
      mount(screen, ...children);
      screen.querySelector('h1')?.focus();
    },
    keepTimer(id) {
      timers.push(id);
    },
    now: () => Date.now() + lead,
  };

  /** Shows the local clock in the header when it has been moved (read again on every screen). */
  async function showClock(): Promise<void> {
    const slot = root.querySelector('header .clock-slot');
    if (!options.localClock || !slot) return;
    const clock = await options.localClock().catch(() => undefined);
    lead = clock?.moved ? clock.offsetMs : 0;
    mount(
      slot,
      clock?.moved
        ? h(
            'span',
            { className: 'clock', role: 'status' },
            `Local clock ${leadInWords(clock.offsetMs)} ahead: `,
            h('time', { dateTime: clock.now }, localTime(clock.now)),
          )
        : null,
    );
  }

  function renderShell(): void {
    const account = auth.account();
    mount(
      root,
      h(
        'a',
        {
          className: 'skip',
          href: '#main',
          onclick: (e: Event) => {
            e.preventDefault();
            document.getElementById('main')?.querySelector('h1')?.focus();
          },
        },
        'Skip to content',
      ),
      h(
        'header',
        {},
        h('p', { className: 'brand' }, routes.brand ?? 'Refund console'),
        h('span', { className: 'clock-slot' }),
        account
          ? h(
              'nav',
              { 'aria-label': 'Console' },
              routes.nav.map(([label, hash, covers]) =>
                h('a', { href: hash, dataset: { covers: covers.join(' ') } }, label),
              ),
              h('span', { className: 'account' }, `Signed in as ${account}`),
              button('Sign out', () => {
                auth.signOut();
                route();
              }),
            )
          : null,
      ),
      h('main', { id: 'main' }),
    );
  }

  function showSignIn(): void {
    const form = auth.signInForm(() => {
      renderShell();
      location.hash = `#/${routes.home}`;
      route();
    });
    app.show(heading('Sign in'), form);
  }

  function route(): void {
    if (!auth.account()) {
      renderShell();
      showSignIn();
      return;
    }
    if (!root.querySelector('header nav')) renderShell();
    void showClock();
    const found = match(routes.screens, location.hash) ?? match(routes.screens, `#/${routes.home}`);
    // The header link of the part of the console on show says so.
    const section = location.hash.replace(/^#\/?/, '').split('/')[0] || routes.home;
    for (const a of Array.from(root.querySelectorAll<HTMLAnchorElement>('header nav a'))) {
      if (a.dataset.covers?.split(' ').includes(section)) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (found) void found.screen(app, found.params);
  }

  return { route };
}
