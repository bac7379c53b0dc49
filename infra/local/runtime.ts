/**
 * The whole service on one machine (`npm start`, and in-process for tests): DynamoDB Local
 * and fauxqs on loopback, the table and queues, the environment the handlers read at cold
 * start, the API server, the refund-queue and purge-work-queue pollers and the schedules.
 *
 * The handler modules are loaded once per process and keep the configuration they read at
 * cold start (as a warm Lambda container would), so a process starts one runtime, once.
 */

import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AuthConfig } from '../../web/hosting.ts';
import { jsonAnswer } from './api-event.ts';
import { type ClockState, clockRoutes, type LocalClock, localClock } from './clock.ts';
import { consoleRoutes } from './console.ts';
import {
  createPurgeQueues,
  createQueues,
  createTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoLocal,
  startLocalSqs,
} from './emulators.ts';
import {
  LOCAL_EVENT_BUS_NAME,
  LOCAL_EVENTS_PATH,
  type LocalEventBus,
  startLocalEventBus,
} from './event-bus.ts';
import {
  type FunctionRegistry,
  functionRegistry,
  invoke,
  type LocalFunctionName,
  type LocalHandler,
} from './functions.ts';
import { localJwtSecret, signJwt } from './jwt.ts';
import { scheduledEvent } from './lambda-events.ts';
import {
  type Dispatcher,
  eventDispatcher,
  type LocalPaperwork,
  paperworkPages,
  startLocalPaperwork,
} from './paperwork.ts';
import { startQueuePoller, startRefundPoller } from './poller.ts';
import { type Scheduler, startScheduler } from './scheduler.ts';
import { type SeededInstance, seedDemoData } from './seed.ts';
import { createApiServer } from './server.ts';
import { StreamCursor, startStreamReader } from './stream-reader.ts';
import { LOCAL_STRIPE_SECRET_NAME, type LocalStripe, startLocalSecrets, stripeEnv } from './stripe.ts';
import { tokenScopes } from './token.ts';

export const DEFAULT_TABLE_NAME = 'refunds';
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 5;
export const SCHEDULE_INTERVAL_MS = 60_000;
export const LOCAL_HOST = '127.0.0.1';
/** Purge workers running side by side locally (the stack's PurgeWorkerMaxConcurrency). */
export const LOCAL_PURGE_WORKERS = 2;
/** How long `runPurger` waits for the workers to drain what it dispatched. */
const PURGE_DRAIN_TIMEOUT_MS = 120_000;

export interface LocalRuntimeOptions {
  /** API port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** Load the demo data through the ingest function before answering ready. */
  seed?: boolean;
  /** The refund queue's visibility timeout, i.e. the retry delay of a failed refund (default 5 s). */
  visibilityTimeoutSeconds?: number;
  /** Run the purger and the reconcilers every `scheduleIntervalMs` (default true, every 60 s). */
  schedule?: boolean;
  scheduleIntervalMs?: number;
  /** Default `refunds`. */
  tableName?: string;
  /** Prefix of the queue names (default none). */
  queuePrefix?: string;
  /** Default `LOCAL_JWT_SECRET` or `local-dev-secret`. */
  jwtSecret?: string;
  /** Reuse emulators that are already running (e.g. the integration tests') instead of starting them. */
  emulators?: { dynamoEndpoint: string; sqsEndpoint: string };
  /** Stand-in handlers by function name (tests); the others are the real `functions/*.ts`. */
  handlers?: Partial<Record<LocalFunctionName, LocalHandler>>;
  /** Where every function comes from instead (the deploy-parity test: the bundles `cdk synth` built). */
  registry?: FunctionRegistry;
  /** Where the runtime's own lines go (default console.log). */
  log?: (line: string) => void;
  /** How the served console signs in (default the local sign-in, `POST /local/tokens`). */
  consoleAuth?: AuthConfig;
  /** How far the local clock starts ahead of the real time, ms (default 0; `POST /local/clock` moves it). */
  clockAheadMs?: number;
  /** Settle refunds with Stripe (test mode, or a local Stripe-compatible server) instead of the simulator. */
  stripe?: LocalStripe;
}

export interface LocalRuntime {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  refundQueueUrl: string;
  deadLetterQueueUrl: string;
  purgeQueueUrl: string;
  /** What `seed: true` loaded (empty otherwise). */
  seeded: SeededInstance[];
  /** A token for `accountId` signed with the runtime's secret. */
  /** `role` makes it an operator's token (`sub` = the person) for the back office. */
  token(
    accountId: string,
    options?: { internal?: boolean; role?: 'operator' | 'approver'; ttlSeconds?: number },
  ): string;
  /**
   * Runs the purger (the dispatcher) once with `time` (ISO instant) as the schedule time, then
   * waits until the purge workers have drained the work queue; returns the dispatch summary
   * and whether the queue drained.
   */
  runPurger(time: string): Promise<unknown>;
  /** Runs the reconciler once, likewise. */
  runReconciler(time: string): Promise<unknown>;
  /** Runs the reconciler, then the submitted-refund reconciler, once at `time`; returns both summaries. */
  runReconcilers(time: string): Promise<{ reconciler: unknown; submittedReconciler: unknown }>;
  /** Who settles the refunds (`stripe` with the `stripe` option). */
  paymentProvider: 'simulator' | 'stripe';
  /** The local bus the event publisher puts domain events on (fed from the table's stream). */
  eventBus: LocalEventBus;
  /** The one clock of the functions and the schedules (`GET`/`POST /local/clock`). */
  clock: LocalClock;
  /** Credit notes, emails and the journal: their buckets on fauxqs, and a wait for the event consumers. */
  paperwork: Pick<LocalPaperwork, 'buckets' | 'mail'> & {
    idle(): Promise<void>;
    /** Runs the journal's daily export once at `time` (ISO instant), as its schedule would. */
    exportJournal(time: string): Promise<unknown>;
  };
  /** Stops the schedules, the poller, the server and the emulators it started. Idempotent. */
  stop(): Promise<void>;
}

export class RuntimeAlreadyStartedError extends Error {
  constructor() {
    super(
      'startLocalRuntime runs once per process: the handler modules keep the configuration they read at cold start',
    );
    this.name = 'RuntimeAlreadyStartedError';
  }
}

/** Set by the first start that gets going; only a start that fails clears it. */
let started = false;

/**
 * `queueUrl` on the emulator's own origin (`http://127.0.0.1:<port>/000000000000/refunds`).
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/…`, a host that does not resolve
 * everywhere, and the SQS client sends to a QueueUrl's host whenever it differs from an
 * endpoint that came from the environment (as the handlers' does). fauxqs finds a queue by
 * the name in the path, so the loopback form works for every caller.
 */
export function queueUrlOn(endpoint: string, queueUrl: string): string {
  return new URL(new URL(queueUrl).pathname, endpoint).href;
}

/** Env the handlers read at cold start (`shared/config.ts` and the AWS SDK's standard variables). */
function handlerEnv(o: {
  tableName: string;
  refundQueueUrl: string;
  purgeQueueUrl: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  eventBusEndpoint: string;
}): Record<string, string | undefined> {
  return {
    TABLE_NAME: o.tableName,
    REFUND_QUEUE_URL: o.refundQueueUrl,
    PURGE_QUEUE_URL: o.purgeQueueUrl,
    EVENT_BUS_NAME: LOCAL_EVENT_BUS_NAME,
    AWS_ENDPOINT_URL_EVENTBRIDGE: o.eventBusEndpoint,
    // Retries 1 s, 2 s, 4 s… apart locally, so a `flaky-` refund settles within seconds.
    RETRY_BASE_SECONDS: process.env.RETRY_BASE_SECONDS ?? '1',
    AWS_ENDPOINT_URL_DYNAMODB: o.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: o.sqsEndpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // A real session token in the developer's shell must not ride along with the local keys.
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    POWERTOOLS_SERVICE_NAME: process.env.POWERTOOLS_SERVICE_NAME ?? 'refund-service',
    POWERTOOLS_METRICS_NAMESPACE: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'RefundServiceLocal',
    // No EMF metric lines on the console locally unless asked for.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    // The keys of nextToken values: yours, or one made for this process (tokens end with it).
    PAGE_TOKEN_KEYS: process.env.PAGE_TOKEN_KEYS ?? LOCAL_PAGE_TOKEN_KEYS,
  };
}

/** A page-token keyring for this run of the local runtime: a fresh random key, never written anywhere. */
const LOCAL_PAGE_TOKEN_KEYS = JSON.stringify({ id: 'local', secret: randomBytes(32).toString('base64url') });

/** Sets `values` in process.env and returns a function that puts the previous values back. */
function setEnv(values: Record<string, string | undefined>): () => void {
  const previous: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(values)) {
    previous[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOCAL_HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  if (started) throw new RuntimeAlreadyStartedError();
  started = true;
  const log = options.log ?? ((line: string) => console.log(line));
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const jwtSecret = options.jwtSecret ?? localJwtSecret();
  const region = LOCAL_REGION;

  // Everything started so far, stopped in reverse order by `stop()` or when starting fails.
  const stops: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const step of stops.reverse()) {
        try {
          await step();
        } catch (error) {
          log(`local runtime: stopping: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return stopping;
  };

  const clock = localClock();

  try {
    clock.runAhead(options.clockAheadMs ?? 0);
    // The service clock is the process's: back to the real time when this runtime stops.
    stops.push(() => {
      clock.runAhead(0);
    });

    let dynamoEndpoint: string;
    let sqsEndpoint: string;
    if (options.emulators) {
      ({ dynamoEndpoint, sqsEndpoint } = options.emulators);
    } else {
      const [dynamo, sqs] = await Promise.allSettled([startDynamoLocal(), startLocalSqs()]);
      for (const result of [dynamo, sqs]) {
        if (result.status === 'fulfilled') stops.push(() => result.value.stop());
      }
      if (dynamo.status === 'rejected') throw dynamo.reason;
      if (sqs.status === 'rejected') throw sqs.reason;
      dynamoEndpoint = dynamo.value.endpoint;
      sqsEndpoint = sqs.value.endpoint;
    }

    const dynamoClient = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region,
      credentials: LOCAL_CREDENTIALS,
    });
    const sqsClient = new SQSClient({ endpoint: sqsEndpoint, region, credentials: LOCAL_CREDENTIALS });
    stops.push(() => {
      dynamoClient.destroy();
      sqsClient.destroy();
    });
    await createTable(dynamoClient, tableName);
    const created = await createQueues(
      sqsClient,
      options.queuePrefix ?? '',
      options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    );
    const purgeCreated = await createPurgeQueues(sqsClient, options.queuePrefix ?? '');
    const queues = {
      refundQueueUrl: queueUrlOn(sqsEndpoint, created.refundQueueUrl),
      deadLetterQueueUrl: queueUrlOn(sqsEndpoint, created.deadLetterQueueUrl),
      purgeQueueUrl: queueUrlOn(sqsEndpoint, purgeCreated.purgeQueueUrl),
    };
    const arnOf = async (queueUrl: string) =>
      (
        await sqsClient.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes?.QueueArn ??
      `arn:aws:sqs:${region}:000000000000:${new URL(queueUrl).pathname.split('/').pop()}`;
    const queueArn = await arnOf(queues.refundQueueUrl);
    const purgeQueueArn = await arnOf(queues.purgeQueueUrl);

    const paperwork = await startLocalPaperwork({ s3Endpoint: sqsEndpoint, tableName });
    stops.push(() => paperwork.stop());
    // The bus hands every delivery to the rules' functions (set once the registry exists).
    let dispatcher: Dispatcher | undefined;
    const eventBus = await startLocalEventBus(log, (event) => dispatcher?.deliver(event));
    stops.push(() => eventBus.stop());

    // The provider is the runtime's choice, whatever PAYMENT_PROVIDER the shell has.
    let providerEnv: Record<string, string | undefined> = { PAYMENT_PROVIDER: 'simulator' };
    if (options.stripe) {
      const { apiKey, webhookSecret } = options.stripe;
      const secrets = await startLocalSecrets(
        LOCAL_STRIPE_SECRET_NAME,
        JSON.stringify({ apiKey, webhookSecret }),
      );
      stops.push(() => secrets.stop());
      providerEnv = stripeEnv(options.stripe, secrets.endpoint);
    }

    stops.push(
      setEnv({
        ...handlerEnv({
          tableName,
          refundQueueUrl: queues.refundQueueUrl,
          purgeQueueUrl: queues.purgeQueueUrl,
          dynamoEndpoint,
          sqsEndpoint,
          eventBusEndpoint: eventBus.endpoint,
        }),
        ...providerEnv,
      }),
    );
    stops.push(setEnv(paperwork.env));

    const registry = options.registry ?? functionRegistry(options.handlers);
    const rules = eventDispatcher(registry, log);
    dispatcher = rules;
    stops.push(() => rules.idle());
    const runScheduled = (
      name: 'purger' | 'reconciler' | 'submitted-reconciler' | 'ops-sweeper' | 'journal-export',
      time: string,
    ) => invoke(registry, name, scheduledEvent(time, `refund-service-local-${name}`, region), region);
    // Set below, once the purge workers' poller runs.
    let purgeDrained: () => Promise<boolean> = async () => true;
    const dispatchPurges = (time: string) => runScheduled('purger', time);
    const runPurger = async (time: string) => {
      const dispatch = await dispatchPurges(time);
      return { ...(dispatch as object), drained: await purgeDrained() };
    };
    const runReconciler = (time: string) => runScheduled('reconciler', time);
    const runReconcilers = async (time: string) => ({
      reconciler: await runReconciler(time),
      submittedReconciler: await runScheduled('submitted-reconciler', time),
    });

    // Set once the schedules start; a clock move runs them at once at the new time.
    let scheduler: Scheduler | undefined;
    const clockPages = clockRoutes(clock, async (state: ClockState) => {
      log(
        state.moved
          ? `local clock: ${state.now} (${state.offset} ahead of the real time)`
          : `local clock: ${state.now} (the real time)`,
      );
      await scheduler?.runAll();
    });
    const consolePages = await consoleRoutes(jwtSecret, options.consoleAuth);
    const paperworkPage = paperworkPages(paperwork);
    const localRoutes = async (method: string, rawPath: string, body: string) => {
      const page = paperworkPage(method, rawPath);
      if (page !== undefined) return jsonAnswer(200, page);
      return method === 'GET' && rawPath === LOCAL_EVENTS_PATH
        ? jsonAnswer(200, { events: eventBus.events(), deliveries: eventBus.deliveries().length })
        : ((await clockPages(method, rawPath, body)) ?? consolePages(method, rawPath, body));
    };
    const server = createApiServer({
      registry,
      jwtSecret,
      region,
      runPurger,
      runReconcilers,
      log,
      localRoutes,
    });
    const port = await listen(server, options.port ?? 0);
    stops.push(() => closeServer(server));
    const url = `http://${LOCAL_HOST}:${port}`;

    const poller = startRefundPoller({
      client: sqsClient,
      queueUrl: queues.refundQueueUrl,
      queueArn,
      region,
      registry,
      log,
    });
    stops.push(() => poller.stop());

    // The purge work queue → the purge workers (the stack's FIFO event source mapping).
    const purgePoller = startQueuePoller({
      functionName: 'purge-worker',
      batchSize: 1,
      concurrency: LOCAL_PURGE_WORKERS,
      quiet: true,
      client: sqsClient,
      queueUrl: queues.purgeQueueUrl,
      queueArn: purgeQueueArn,
      region,
      registry,
      log,
    });
    stops.push(() => purgePoller.stop());
    purgeDrained = () => purgePoller.drained(PURGE_DRAIN_TIMEOUT_MS);

    // The table's stream → the event publisher → the local bus (the stack's mapping, played locally).
    const streamsClient = new DynamoDBStreamsClient({
      endpoint: dynamoEndpoint,
      region,
      credentials: LOCAL_CREDENTIALS,
    });
    stops.push(() => streamsClient.destroy());
    const streamReader = startStreamReader({
      cursor: await StreamCursor.open(dynamoClient, streamsClient, tableName),
      publish: (event) => invoke(registry, 'event-publisher', event, region),
      log,
    });
    stops.push(() => streamReader.stop());

    if (options.schedule ?? true) {
      const started = startScheduler({
        intervalMs: options.scheduleIntervalMs ?? SCHEDULE_INTERVAL_MS,
        now: clock.now,
        log,
        jobs: [
          // The dispatcher, then the wait for the purge workers' poller to drain what it sent.
          { name: 'purger', run: runPurger },
          { name: 'reconciler', run: runReconciler },
          // A no-op with the simulator (the local default): no refund is ever SUBMITTED.
          { name: 'submitted-reconciler', run: (time) => runScheduled('submitted-reconciler', time) },
          // The back office: expires due approval requests.
          { name: 'ops-sweeper', run: (time) => runScheduled('ops-sweeper', time) },
          // Daily at 00:30 UTC+8 in the cloud; every tick here (a closed day is exported once, then
          // checked), so a move of the local clock past midnight UTC+8 exports the day that closed.
          { name: 'journal-export', run: (time) => runScheduled('journal-export', time) },
        ],
      });
      scheduler = started;
      stops.push(() => started.stop());
    }

    const seeded = options.seed ? await seedDemoData(url, jwtSecret, clock.now()) : [];

    return {
      url,
      port,
      dynamoEndpoint,
      sqsEndpoint,
      tableName,
      refundQueueUrl: queues.refundQueueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      purgeQueueUrl: queues.purgeQueueUrl,
      seeded,
      token: (accountId, tokenOptions = {}) =>
        signJwt(accountId, jwtSecret, {
          scopes: tokenScopes({ internal: tokenOptions.internal ?? false, role: tokenOptions.role }),
          ...(tokenOptions.ttlSeconds !== undefined
            ? { ttlSeconds: tokenOptions.ttlSeconds }
            : { ttlSeconds: 3600 }),
        }),
      runPurger,
      runReconciler,
      runReconcilers,
      paymentProvider: options.stripe ? 'stripe' : 'simulator',
      eventBus,
      clock,
      paperwork: {
        buckets: paperwork.buckets,
        mail: paperwork.mail,
        idle: () => rules.idle(),
        exportJournal: (time) => runScheduled('journal-export', time),
      },
      stop,
    };
  } catch (error) {
    await stop();
    started = false;
    throw error;
  }
}
