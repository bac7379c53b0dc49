// What `node:http` resolves to in every function bundle (infra/cdk/functions.ts, NODE_HTTP_ALIAS):
// Node's own module without its ESM facade. An ESM `import … from 'node:http'` (in the bundle:
// @smithy/credential-provider-imds and @middy/util) builds that facade, which reads every export
// and so runs node:http's lazy getters that load the bundled undici (fetch, WebSocket): ~10 ms of
// every cold start for nothing. Measured by `npm run bench` (docs/performance.md).
module.exports = process.getBuiltinModule('node:http');
