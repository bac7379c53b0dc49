/**
 * Starts the real emulators on loopback: AWS DynamoDB Local (the jar shipped inside the
 * `amplify-dynamodb-simulator` package, needs Java ≥ 17) and fauxqs (in-process SQS).
 * Used by `npm start`, the integration tests' global setup and the benchmarks.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { createTableInput, PURGE_QUEUES, QUEUES } from '#schema/table.ts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java 17 or newer is needed to run DynamoDB Local, and `java` was not found on the PATH.\n' +
        'On Debian/Ubuntu: sudo apt-get install default-jre-headless',
    );
    this.name = 'JavaMissingError';
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new JavaMissingError();
  }
}

export interface DynamoLocal {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynamoLocal(port?: number): Promise<DynamoLocal> {
  assertJava();
  const require = createRequire(import.meta.url);
  const emulatorDir = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const chosenPort = port ?? (await freePort());
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(emulatorDir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-disableTelemetry',
      '-port',
      String(chosenPort),
    ],
    { cwd: emulatorDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${chosenPort}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited early: ${stderr}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not start within 120 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  stop(): Promise<void>;
}

export async function startLocalSqs(port = 0): Promise<LocalSqs> {
  const server = await startFauxqs({ port, logger: false });
  const endpoint = server.address;
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

/**
 * Creates the table, with its stream (the domain-event outbox) unless `stream: false`: only the
 * purge benchmark leaves it off, since DynamoDB Local's stream bookkeeping (which AWS does not
 * put on the write path) would slow both sides of its comparison and nothing reads it there.
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: { stream?: boolean } = {},
): Promise<void> {
  const input = createTableInput(tableName);
  if (options.stream === false) delete input.StreamSpecification;
  await client.send(new CreateTableCommand(input));
}

export interface RefundQueues {
  refundQueueUrl: string;
  deadLetterQueueUrl: string;
}

/**
 * Creates the refund queue and its dead-letter queue (redrive after `QUEUES.maxReceiveCount`
 * receives). Locally the visibility timeout is short so retries happen within seconds.
 */
export async function createQueues(
  client: SQSClient,
  prefix: string,
  visibilityTimeoutSeconds = 2,
): Promise<RefundQueues> {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${prefix}${QUEUES.deadLetter}` }));
  const deadLetterQueueUrl = dlq.QueueUrl ?? '';
  const attrs = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}${QUEUES.refunds}`,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: attrs.Attributes?.QueueArn,
          maxReceiveCount: String(QUEUES.maxReceiveCount),
        }),
      },
    }),
  );
  return { refundQueueUrl: queue.QueueUrl ?? '', deadLetterQueueUrl };
}

export interface PurgeQueues {
  purgeQueueUrl: string;
  purgeDeadLetterQueueUrl: string;
}

/**
 * Creates the purge work queue (FIFO, one message group per due shard, as in the stack) and its
 * FIFO dead-letter queue. The visibility timeout matters only when a worker crashes.
 */
export async function createPurgeQueues(
  client: SQSClient,
  prefix: string,
  visibilityTimeoutSeconds = 30,
): Promise<PurgeQueues> {
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}${PURGE_QUEUES.deadLetter}`,
      Attributes: { FifoQueue: 'true' },
    }),
  );
  const purgeDeadLetterQueueUrl = dlq.QueueUrl ?? '';
  const attrs = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: purgeDeadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}${PURGE_QUEUES.work}`,
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: attrs.Attributes?.QueueArn,
          maxReceiveCount: String(PURGE_QUEUES.maxReceiveCount),
        }),
      },
    }),
  );
  return { purgeQueueUrl: queue.QueueUrl ?? '', purgeDeadLetterQueueUrl };
}
