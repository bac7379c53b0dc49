/**
 * The paperwork side of `npm start`: the private document buckets on fauxqs's S3 emulation
 * (the same in-process fauxqs that serves SQS; never an in-memory map), the issuer settings,
 * and the local stand-in for the EventBridge rules of infra/cdk/paperwork.ts: every event the
 * local bus accepts (redeliveries too, as EventBridge would) invokes each function whose
 * `consumes` lists its type, with Lambda's retries of an asynchronous invocation (two more
 * tries, a second and two apart).
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type DocumentBucket, FUNCTIONS, type ServiceFunctionName } from '#infra/cdk/functions.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { EVENT_SOURCE } from '#shared/service.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators.ts';
import { type FunctionRegistry, invoke } from './functions.ts';
import { LOCAL_ACCOUNT_ID } from './lambda-events.ts';
import { LOCAL_MAIL_FROM, LOCAL_MAIL_PATH, type LocalMail, mailPage, startLocalMail } from './mail.ts';

/** The issuer printed on local credit notes (the cloud takes it from cdk.json context `issuer`). */
export const LOCAL_ISSUER = {
  ISSUER_ID: 'local',
  ISSUER_LEGAL_NAME: 'Example Cloud Ltd. (local)',
  ISSUER_ADDRESS: '1 Harbour Road|Wan Chai, Hong Kong',
  ISSUER_TAX_ID: 'HK-00000000',
};

/** Bucket names of one runtime (its table name keeps test runtimes apart on a shared fauxqs). */
export function localBucketNames(tableName: string): Record<DocumentBucket, string> {
  const base = tableName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return { creditNotes: `${base}-credit-notes`, journalExports: `${base}-journal-exports` };
}

export interface LocalPaperwork {
  buckets: Record<DocumentBucket, string>;
  /** The SMTP server that receives every customer email. */
  mail: LocalMail;
  /** The variables the paperwork functions read at cold start. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Creates the buckets on fauxqs (`s3Endpoint`) and returns the functions' settings. */
export async function startLocalPaperwork(o: {
  s3Endpoint: string;
  tableName: string;
}): Promise<LocalPaperwork> {
  const buckets = localBucketNames(o.tableName);
  const s3 = new S3Client({
    endpoint: o.s3Endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    for (const bucket of Object.values(buckets)) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
  const mail = await startLocalMail();
  return {
    buckets,
    mail,
    env: {
      MAIL_FROM: LOCAL_MAIL_FROM,
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: mail.url,
      AWS_ENDPOINT_URL_S3: o.s3Endpoint,
      CREDIT_NOTES_BUCKET: buckets.creditNotes,
      JOURNAL_EXPORTS_BUCKET: buckets.journalExports,
      ...Object.fromEntries(Object.entries(LOCAL_ISSUER).map(([k, v]) => [k, process.env[k] ?? v])),
    },
    stop: () => mail.stop(),
  };
}

/** The paperwork's local pages: `GET /local/mail` (every email received). */
export function paperworkPages(paperwork: LocalPaperwork) {
  return (method: string, rawPath: string): unknown | undefined =>
    method === 'GET' && rawPath === LOCAL_MAIL_PATH ? mailPage(paperwork.mail) : undefined;
}

/** What EventBridge hands a rule's Lambda target. */
export function eventBridgeEvent(event: DomainEvent, region = LOCAL_REGION) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': event.type,
    source: EVENT_SOURCE,
    account: LOCAL_ACCOUNT_ID,
    time: event.occurredAt.replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail: event,
  };
}

/** The functions a rule sends `type` to. */
export function consumersOf(type: DomainEvent['type']): ServiceFunctionName[] {
  return (Object.keys(FUNCTIONS) as ServiceFunctionName[]).filter((name) =>
    FUNCTIONS[name].consumes?.includes(type),
  );
}

export interface Dispatcher {
  /** Hands one delivered event to its consumers (returns at once; the invocations run on). */
  deliver(event: DomainEvent): void;
  /** Resolves when every invocation started so far has finished (tests). */
  idle(): Promise<void>;
}

/** The rules, locally: async invocations with two retries, failures logged (never the event). */
export function eventDispatcher(
  registry: FunctionRegistry,
  log: (line: string) => void,
  retryDelaysMs: readonly number[] = [1000, 2000],
): Dispatcher {
  const running = new Set<Promise<void>>();
  const run = async (name: ServiceFunctionName, event: DomainEvent) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await invoke(registry, name, eventBridgeEvent(event), LOCAL_REGION);
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt];
        const reason = error instanceof Error ? error.message : String(error);
        if (delay === undefined) {
          log(`${name}: ${event.type} ${event.id} failed after ${attempt + 1} attempts: ${reason}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
  return {
    deliver(event) {
      for (const name of consumersOf(event.type)) {
        const task = run(name, event).finally(() => running.delete(task));
        running.add(task);
      }
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
