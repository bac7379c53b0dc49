/**
 * Sign-in. Locally (`config.json` `auth.kind = "local"`) the customer picks an account and
 * the local runtime signs a token for it (`POST /local/tokens`, served by `npm start` only);
 * the page holds no secret. The token lives in sessionStorage, gone with the tab.
 */
import { field, h } from './dom.ts';

export interface Auth {
  account(): string | undefined;
  token(): string | undefined;
  signOut(): void;
  signInForm(onSignedIn: () => void): HTMLElement;
}

const STORAGE_KEY = 'refund-console.session';

interface Session {
  account: string;
  token: string;
  expiresAt: number;
}

function readSession(): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

export function localAuth(apiUrl: string): Auth {
  return {
    account: () => readSession()?.account,
    token: () => readSession()?.token,
    signOut: () => sessionStorage.removeItem(STORAGE_KEY),
    signInForm(onSignedIn) {
      const input = h('input', {
        name: 'accountId',
        value: 'acct-demo',
        autocomplete: 'username',
        required: true,
        list: 'accounts',
      });
      const message = h('div', { 'aria-live': 'assertive' });
      return h(
        'form',
        {
          'aria-label': 'Local sign-in',
          onsubmit: async (event: Event) => {
            event.preventDefault();
            const response = await fetch(`${apiUrl}/local/tokens`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ accountId: input.value.trim() }),
            }).catch(() => undefined);
            const body = (await response?.json().catch(() => ({}))) as { token?: string; expiresIn?: number };
            if (!response?.ok || !body.token) {
              message.replaceChildren(
                h('p', { className: 'refusal', role: 'alert' }, 'Sign-in failed: check the account ID.'),
              );
              return;
            }
            const session: Session = {
              account: input.value.trim(),
              token: body.token,
              expiresAt: Date.now() + (body.expiresIn ?? 3600) * 1000,
            };
            sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
            onSignedIn();
          },
        },
        h('p', {}, 'Local runtime: pick the account to sign in as (the demo data uses acct-demo).'),
        field('Account ID', input),
        h(
          'datalist',
          { id: 'accounts' },
          h('option', { value: 'acct-demo' }),
          h('option', { value: 'acct-demo-2' }),
        ),
        message,
        h('button', { type: 'submit', className: 'primary' }, 'Sign in'),
      );
    },
  };
}

export async function loadAuth(config: { apiUrl: string; auth: Record<string, string> }): Promise<Auth> {
  if (config.auth.kind === 'local') return localAuth(config.apiUrl);
  throw new Error(`Unknown sign-in kind ${String(config.auth.kind)}`);
}
