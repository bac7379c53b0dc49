/**
 * Starting a console: read `config.json`, sign in as the console's audience, and route hashes to
 * its screens. Each console's entry (`main.ts`, `ops/main.ts`) only names its routes.
 */
import type { ConsoleConfig } from '../hosting.ts';
import { createApi } from './api.ts';
import { createApp, type LocalClock, type Routes } from './app.ts';
import { type Audience, loadAuth } from './auth.ts';
import { append, h } from './dom.ts';

/** `what` names the console in the one message shown if it cannot start. */
export function bootConsole(routes: Routes, audience: Audience, what: string): void {
  const root = document.getElementById('app') as HTMLElement;
  const start = async () => {
    const config = (await (await fetch('config.json')).json()) as ConsoleConfig;
    const auth = await loadAuth(config, audience);
    const api = createApi(config.apiUrl, () => auth.token());
    // The local runtime's movable clock, shown in the header when moved; never asked in the cloud.
    const localClock = config.auth.kind === 'local' ? () => api.get<LocalClock>('/local/clock') : undefined;
    const { route } = createApp(root, api, auth, routes, { localClock });
    window.addEventListener('hashchange', route);
    route();
    document.body.dataset.ready = 'true';
  };
  start().catch((error: unknown) => {
    append(root, [
      h(
        'div',
        { className: 'refusal', role: 'alert' },
        h('p', {}, `${what} could not start: ${String(error)}`),
      ),
    ]);
  });
}
