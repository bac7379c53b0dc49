/**
 * `npm start [-- --seed]`: the refund service on http://127.0.0.1:$PORT (default 3000) with
 * DynamoDB Local, fauxqs, the refund-queue poller and the schedules. Prints one ready line;
 * stops cleanly on Ctrl-C / SIGTERM.
 */
import { JavaMissingError } from './emulators.ts';
import { type LocalRuntime, startLocalRuntime } from './runtime.ts';

const USAGE = 'Usage: npm start [-- --seed]   (env: PORT, default 3000; LOCAL_JWT_SECRET)';

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

let runtime: LocalRuntime;
try {
  runtime = await startLocalRuntime({ port, seed: args.includes('--seed') });
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
console.log(
  `Refund service listening on ${runtime.url} (DynamoDB Local ${runtime.dynamoEndpoint}, SQS ${runtime.sqsEndpoint})`,
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
