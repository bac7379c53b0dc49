/**
 * What `@aws-sdk/credential-provider-node` resolves to in every function bundle
 * (infra/cdk/functions.ts, LAMBDA_CREDENTIALS_ALIAS): the SDK's default credential chain
 * reduced to its first link, the environment.
 *
 * Lambda gives every function its execution role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and the default chain's first link reads
 * exactly those, so on Lambda the chain never goes further. The links it would never reach
 * (SSO, shared ini files, credential processes, web identity, container and instance
 * metadata) are still bundled the default way, with the STS/SSO clients they use:
 * ~135 KiB of every function's ~450 KiB, and ~20 ms of every cold start (the bundle is
 * parsed, and the modules esbuild wraps for those lazy imports are initialised). Measured by
 * `npm run bench` (docs/performance.md).
 *
 * Outside Lambda (a bundle run by hand without those variables) the provider fails with a
 * message saying so, rather than looking elsewhere. Tests and `npm start` run the sources,
 * which keep the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The SDK's `defaultProvider(init)`: the credentials in the environment, and only those. */
export const defaultProvider =
  (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> =>
  async () => {
    try {
      return await fromEnv(init)();
    } catch (error) {
      throw Object.assign(
        new Error(
          'No AWS credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: this function bundle reads only the ' +
            'credentials Lambda puts in its environment (infra/cdk/lambda-credentials.ts)',
          { cause: error },
        ),
        // The SDK's CredentialsProviderError shape: the end of the chain.
        { name: 'CredentialsProviderError', tryNextLink: false },
      );
    }
  };
