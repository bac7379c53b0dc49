/**
 * What serving the console takes, shared by the local server (infra/local/console.ts), the
 * CDK stack (S3 + CloudFront) and the page itself: the shape of `config.json` and the
 * security headers. Both hosts send the same Content-Security-Policy, so the browser tests
 * run the page under the policy it gets in the cloud.
 */

/** `auth` of config.json: the local runtime's sign-in, or OIDC code + PKCE against an issuer. */
export type AuthConfig =
  | { kind: 'local' }
  | {
      kind: 'oidc';
      /** The issuer URL (the stack's JwtIssuer); discovery is `<issuer>/.well-known/openid-configuration`. */
      issuer: string;
      /** The public client registered with the provider (no secret). */
      clientId: string;
      /** Where the provider sends the customer back; default the page's own URL. */
      redirectUri?: string;
      /** Default `openid`. */
      scope?: string;
    };

export type OidcConfig = Extract<AuthConfig, { kind: 'oidc' }>;

export interface ConsoleConfig {
  /** The API's base URL without a trailing slash; empty for the page's own origin. */
  apiUrl: string;
  auth: AuthConfig;
}

/**
 * The page's Content-Security-Policy: nothing but its own script and stylesheet (no inline
 * code, no eval), and fetches to its origin plus `connectSources` (the API's and the OIDC
 * issuer's origins when they are elsewhere).
 */
export function consoleCsp(connectSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The referrer policy of the page: the API and the provider learn nothing of the page's URL. */
export const CONSOLE_REFERRER_POLICY = 'no-referrer';
