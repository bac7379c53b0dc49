/**
 * Sign-in, chosen by `config.json` `auth.kind`:
 *
 * - `local`: the customer picks an account and the local runtime signs a token for it
 *   (`POST /local/tokens`, served by `npm start` only); the page holds no secret.
 * - `oidc`: OpenID Connect authorization code flow with PKCE (S256) against `auth.issuer`
 *   (the stack's JwtIssuer), as a public client `auth.clientId`, with oauth4webapi. The
 *   issuer's `/.well-known/openid-configuration` is read when a sign-in starts or returns;
 *   the code verifier, state and nonce wait in sessionStorage for the redirect back and are
 *   used once; the answer's state and the ID token's nonce are checked by the library. The
 *   access token is what the API's JWT authorizer verifies.
 *
 * Either way the session (account, token, expiry) lives in sessionStorage, gone with the
 * tab, never in localStorage; signing out forgets it. The operator console (`/ops/`) keeps its
 * own session beside the customer's (another key), and its local sign-in asks for a person
 * and whether they approve (`POST /local/tokens {"operator", "approver"}`).
 */
import * as oauth from 'oauth4webapi';
import type { ConsoleConfig, OidcConfig } from '../hosting.ts';
import { field, h } from './dom.ts';

export interface Auth {
  account(): string | undefined;
  token(): string | undefined;
  signOut(): void;
  signInForm(onSignedIn: () => void): HTMLElement;
}

/** Who signs in: a customer (an account) or an operator of the back office (a person). */
export type Audience = 'customer' | 'operator';

const STORAGE_KEYS: Record<Audience, string> = {
  customer: 'refund-console.session',
  operator: 'refund-ops.session',
};
/** The code verifier, state and nonce of the sign-in under way in this tab. */
export const PENDING_KEY = 'refund-console.oidc-pending';
const PENDING_KEYS: Record<Audience, string> = { customer: PENDING_KEY, operator: 'refund-ops.oidc-pending' };
const DEFAULT_TTL_SECONDS = 3600;

interface Session {
  account: string;
  token: string;
  expiresAt: number;
}

interface Pending {
  codeVerifier: string;
  state: string;
  nonce: string;
}

function sessionStore(key: string) {
  const read = (): Session | undefined => {
    try {
      const session = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Session | null;
      return session && session.expiresAt > Date.now() ? session : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    account: () => read()?.account,
    token: () => read()?.token,
    signOut: () => sessionStorage.removeItem(key),
    save(account: string, token: string, ttlSeconds: number): void {
      const session: Session = { account, token, expiresAt: Date.now() + ttlSeconds * 1000 };
      sessionStorage.setItem(key, JSON.stringify(session));
    },
  };
}

const alert = (text: string) => h('p', { className: 'refusal', role: 'alert' }, text);

export function localAuth(apiUrl: string, audience: Audience = 'customer'): Auth {
  const { save, ...session } = sessionStore(STORAGE_KEYS[audience]);
  const operator = audience === 'operator';
  return {
    ...session,
    signInForm(onSignedIn) {
      const input = h('input', {
        name: operator ? 'operator' : 'accountId',
        value: operator ? 'ann' : 'acct-demo',
        autocomplete: 'username',
        required: true,
        list: 'accounts',
      });
      const approver = checkboxField('Approver: may approve or reject the requests of others', 'approver');
      const message = h('div', { 'aria-live': 'assertive' });
      return h(
        'form',
        {
          'aria-label': 'Local sign-in',
          onsubmit: async (event: Event) => {
            event.preventDefault();
            const name = input.value.trim();
            const body = operator ? { operator: name, approver: approver.box.checked } : { accountId: name };
            const response = await fetch(`${apiUrl}/local/tokens`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            }).catch(() => undefined);
            const answer = (await response?.json().catch(() => ({}))) as {
              token?: string;
              expiresIn?: number;
            };
            if (!response?.ok || !answer.token) {
              message.replaceChildren(
                alert(`Sign-in failed: check the ${operator ? 'name' : 'account ID'}.`),
              );
              return;
            }
            save(name, answer.token, answer.expiresIn ?? DEFAULT_TTL_SECONDS);
            onSignedIn();
          },
        },
        operator
          ? h(
              'p',
              {},
              'Local runtime: sign in as an operator of the back office (any name; the demo uses ann and bob).',
            )
          : h('p', {}, 'Local runtime: pick the account to sign in as (the demo data uses acct-demo).'),
        field(operator ? 'Your name' : 'Account ID', input),
        h(
          'datalist',
          { id: 'accounts' },
          (operator ? ['ann', 'bob'] : ['acct-demo', 'acct-demo-2']).map((value) => h('option', { value })),
        ),
        operator ? approver.el : null,
        message,
        h('button', { type: 'submit', className: 'primary' }, 'Sign in'),
      );
    },
  };
}

/** A checkbox and its label (the sign-in form's; `ui.ts` has the screens' own). */
function checkboxField(label: string, name: string) {
  const box = h('input', { type: 'checkbox', name, id: `sign-in-${name}` });
  return { box, el: h('div', { className: 'check' }, box, h('label', { htmlFor: box.id }, label)) };
}

/** Plain http is allowed for an issuer on the loopback interface only (a provider on the developer's machine). */
const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** A refusal of the sign-in, in words the customer can act on. */
export function signInRefusal(error: unknown): string {
  const again = 'Sign in again.';
  if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError) {
    const detail = error.error_description ? ` (${error.error_description})` : '';
    const what =
      error instanceof oauth.ResponseBodyError
        ? 'The identity provider refused to exchange the sign-in code'
        : 'The identity provider refused the sign-in';
    return `${what}: ${error.error}${detail}. ${again}`;
  }
  if (error instanceof oauth.OperationProcessingError && error.message.includes('"state"')) {
    return `The answer from the identity provider does not belong to the sign-in started in this tab (state mismatch). ${again}`;
  }
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.JWT_CLAIM_COMPARISON) {
    return `The identity provider's ID token does not match this sign-in (${error.message}). ${again}`;
  }
  return `Sign-in failed: ${error instanceof Error ? error.message : String(error)}. ${again}`;
}

export async function oidcAuth(config: OidcConfig, audience: Audience = 'customer'): Promise<Auth> {
  const { save: saveSession, ...session } = sessionStore(STORAGE_KEYS[audience]);
  const pendingKey = PENDING_KEYS[audience];
  const issuer = new URL(config.issuer);
  const client: oauth.Client = { client_id: config.clientId };
  const redirectUri = config.redirectUri ?? `${location.origin}${location.pathname}`;
  const insecure = { [oauth.allowInsecureRequests]: isLoopback(issuer) };
  let server: oauth.AuthorizationServer | undefined;
  const discover = async () => {
    server ??= await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    return server;
  };

  /** Back from the provider (`?code=…&state=…` or `?error=…`): finish the sign-in, or say why not. */
  async function completeSignIn(params: URLSearchParams): Promise<void> {
    const pending = JSON.parse(sessionStorage.getItem(pendingKey) ?? 'null') as Pending | null;
    sessionStorage.removeItem(pendingKey);
    if (!pending) {
      throw new Error('no sign-in was started in this tab, or it was already completed');
    }
    const as = await discover();
    const callback = oauth.validateAuthResponse(as, client, params, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      callback,
      redirectUri,
      pending.codeVerifier,
      insecure,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (!claims) throw new Error('the identity provider sent no ID token');
    const ttl = result.expires_in ?? Math.max(0, claims.exp - Math.floor(Date.now() / 1000));
    saveSession(claims.sub, result.access_token, ttl);
  }

  let refusal: string | undefined;
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) {
    await completeSignIn(params).catch((error: unknown) => {
      refusal = signInRefusal(error);
    });
    // The code is single-use: drop it from the address bar (and history) either way.
    history.replaceState(null, '', `${location.pathname}${location.hash}`);
  }

  async function startSignIn(): Promise<void> {
    const as = await discover();
    const pending: Pending = {
      codeVerifier: oauth.generateRandomCodeVerifier(),
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
    };
    const url = new URL(as.authorization_endpoint ?? '');
    // Added to the endpoint's own query, if it has one (e.g. a tenant or policy parameter).
    const parameters = {
      client_id: config.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: config.scope ?? 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    };
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    sessionStorage.setItem(pendingKey, JSON.stringify(pending));
    location.assign(url.href);
  }

  return {
    ...session,
    signInForm() {
      const message = h('div', { 'aria-live': 'assertive' }, refusal ? alert(refusal) : null);
      refusal = undefined;
      return h(
        'form',
        {
          'aria-label': 'Sign-in',
          onsubmit: (event: Event) => {
            event.preventDefault();
            startSignIn().catch((error: unknown) => {
              message.replaceChildren(
                alert(`The identity provider cannot be reached (${String(error)}). Try again later.`),
              );
            });
          },
        },
        h('p', {}, `Sign in with your account at ${issuer.host}.`),
        message,
        h('button', { type: 'submit', className: 'primary' }, 'Sign in'),
      );
    },
  };
}

export async function loadAuth(config: ConsoleConfig, audience: Audience = 'customer'): Promise<Auth> {
  if (config.auth.kind === 'local') return localAuth(config.apiUrl, audience);
  if (config.auth.kind === 'oidc') return oidcAuth(config.auth, audience);
  throw new Error(`Unknown sign-in kind ${String((config.auth as { kind?: unknown }).kind)}`);
}
