/**
 * `npm start [-- --seed]`: the refund service on http://127.0.0.1:$PORT (default 3000) with
 * DynamoDB Local, fauxqs, the refund-queue poller and the schedules. Prints one ready line
 * (with the local clock when it runs ahead); stops cleanly on Ctrl-C / SIGTERM.
 */
import { requestedLead } from './clock.ts';
import { JavaMissingError } from './emulators.ts';
import { type LocalRuntime, startLocalRuntime } from './runtime.ts';
import { type LocalStripe, LocalStripeError, localStripeSettings } from './stripe.ts';

const USAGE = `Usage: npm start [-- --seed]
  env: PORT (default 3000), LOCAL_JWT_SECRET, LOCAL_CLOCK (e.g. P5D or 2026-05-01T00:00:00Z),
       PAYMENT_PROVIDER=stripe with STRIPE_API_KEY (test mode) and STRIPE_WEBHOOK_SECRET or .local/stripe.json,
       STRIPE_API_HOST / STRIPE_API_PORT / STRIPE_API_PROTOCOL (a local Stripe-compatible server)`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--seed');
if (unknown.length > 0) fail(`Unknown argument ${unknown.join(' ')}\n${USAGE}`);

const portText = process.env.PORT ?? '3000';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`PORT must be a port number, not "${portText}"`);

/** `LOCAL_CLOCK`: how far ahead the local clock starts, as a duration (`P5D`) or the instant it shows. */
function clockAheadMs(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const move = /^\d+$/.test(value)
    ? { offset: Number(value) }
    : value.startsWith('P')
      ? { offset: value }
      : { at: value };
  try {
    return requestedLead(JSON.stringify(move), Date.now());
  } catch (error) {
    fail(`LOCAL_CLOCK=${JSON.stringify(value)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

let stripe: LocalStripe | undefined;
try {
  stripe = localStripeSettings();
} catch (error) {
  if (error instanceof LocalStripeError) fail(error.message);
  throw error;
}

let runtime: LocalRuntime;
try {
  runtime = await startLocalRuntime({
    port,
    seed: args.includes('--seed'),
    clockAheadMs: clockAheadMs(process.env.LOCAL_CLOCK),
    ...(stripe ? { stripe } : {}),
  });
} catch (error) {
  if (error instanceof JavaMissingError) fail(error.message);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    fail(`Port ${port} is already in use; set PORT to another one (PORT=3001 npm start).`);
  }
  fail(`The local runtime could not start: ${error instanceof Error ? error.message : String(error)}`);
}

for (const instance of runtime.seeded) {
  console.log(`Seeded ${instance.accountId} ${instance.instanceId} (${instance.note})`);
}
const clock = runtime.clock.state();
const stripeApi = stripe?.api.host
  ? `${stripe.api.protocol ?? 'https'}://${stripe.api.host}${stripe.api.port ? `:${stripe.api.port}` : ''}`
  : 'api.stripe.com';
console.log(
  `Refund service listening on ${runtime.url} (DynamoDB Local ${runtime.dynamoEndpoint}, SQS ${runtime.sqsEndpoint})` +
    (stripe ? `; refunds by Stripe test mode at ${stripeApi}` : '') +
    (clock.moved ? `; local clock ${clock.now}, ${clock.offset} ahead of the real time` : ''),
);
console.log(`Consoles: customers at ${runtime.url}/, operators at ${runtime.url}/ops/`);
console.log(
  `Customer emails: ${runtime.url}/local/mail (SMTP ${runtime.paperwork.mail.url}); credit notes and journal exports on fauxqs S3 (${Object.values(runtime.paperwork.buckets).join(', ')})`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('Stopping…');
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
