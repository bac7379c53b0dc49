// What `stripe` and `@aws-sdk/client-secrets-manager` resolve to in the bundles of a simulator
// deployment (infra/cdk/functions.ts, bundleAliases). The payment provider is chosen at synth
// (context `paymentProvider`, which also sets PAYMENT_PROVIDER), and only the Stripe adapter
// uses either module (the SDK, and the secret holding its key), so a deployment that settles
// with the simulator does not carry ~250 KiB it can never run. Reached only if PAYMENT_PROVIDER
// is changed to `stripe` after the synth: the function then fails at its cold start, saying how
// to build it with the SDK.
class NotBundled {
  constructor() {
    throw new Error(
      'PAYMENT_PROVIDER=stripe, but this function was synthesized for the simulator, without the Stripe SDK and Secrets Manager client: deploy with -c paymentProvider=stripe',
    );
  }
}
NotBundled.errors = {};
module.exports = NotBundled;
module.exports.default = NotBundled;
module.exports.SecretsManagerClient = NotBundled;
module.exports.GetSecretValueCommand = NotBundled;
