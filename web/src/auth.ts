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
 * tab, never in localStorage; signing out forgets it.
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

const STORAGE_KEY = 'refund-console.session';
/** The code verifier, state and nonce of the sign-in under way in this tab. */
export const PENDING_KEY = 'refund-console.oidc-pending';
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

function readSession(): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

function saveSession(account: string, token: string, ttlSeconds: number): void {
  const session: Session = { account, token, expiresAt: Date.now() + ttlSeconds * 1000 };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

const session = {
  account: () => readSession()?.account,
  token: () => readSession()?.token,
  signOut: () => sessionStorage.removeItem(STORAGE_KEY),
};

const alert = (text: string) => h('p', { className: 'refusal', role: 'alert' }, text);

export function localAuth(apiUrl: string): Auth {
  return {
    ...session,
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
              message.replaceChildren(alert('Sign-in failed: check the account ID.'));
              return;
            }
            saveSession(input.value.trim(), body.token, body.expiresIn ?? DEFAULT_TTL_SECONDS);
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

export async function oidcAuth(config: OidcConfig): Promise<Auth> {
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
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as Pending | null;
    sessionStorage.removeItem(PENDING_KEY);
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
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
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

export async function loadAuth(config: ConsoleConfig): Promise<Auth> {
  if (config.auth.kind === 'local') return localAuth(config.apiUrl);
  if (config.auth.kind === 'oidc') return oidcAuth(config.auth);
  throw new Error(`Unknown sign-in kind ${String((config.auth as { kind?: unknown }).kind)}`);
}
