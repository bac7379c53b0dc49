/**
 * Plays Lambda's DynamoDB stream event source mapping for the event publisher, on DynamoDB
 * Local's stream (`@aws-sdk/client-dynamodb-streams`), with `ReportBatchItemFailures` on:
 * read up to `STREAM_READING.batchSize` records of a shard from TRIM_HORIZON, invoke the
 * publisher with a real `DynamoDBStreamEvent`, and move on only past what it published. A
 * reported record is read again (it and the rest of the batch) after a pause; a handler that
 * throws gets the whole batch again. After `STREAM_READING.retryAttempts` retries the batch is
 * given up on with a log line (the stack's on-failure queue). A child shard starts after its
 * parent is read to the end, as Lambda keeps an item's changes in order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { STREAM_READING } from '#infra/cdk/functions.ts';

/** One batch of one shard, as the publisher receives it. */
export interface StreamBatch {
  shardId: string;
  event: DynamoDBStreamEvent;
}

interface ShardState {
  parent?: string;
  /** Where the next read starts. */
  iterator?: string;
  /** The last record published (to get a fresh iterator after it). */
  after?: string;
  /** Read to its end (a closed shard). */
  done: boolean;
}

/** Lambda's record shape: creation time in epoch seconds, the stream's ARN as the source. */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  return {
    eventID: record.eventID ?? '',
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? '',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(stream.ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000) }
        : {}),
      Keys: stream.Keys as never,
      ...(stream.NewImage ? { NewImage: stream.NewImage as never } : {}),
      ...(stream.OldImage ? { OldImage: stream.OldImage as never } : {}),
      SequenceNumber: stream.SequenceNumber ?? '',
      SizeBytes: stream.SizeBytes ?? 0,
      StreamViewType: stream.StreamViewType as never,
    },
  };
}

/** Reads a table's stream shard by shard; the caller says how far each batch got. */
export class StreamCursor {
  readonly #streams: DynamoDBStreamsClient;
  readonly #streamArn: string;
  readonly #shards = new Map<string, ShardState>();

  private constructor(streams: DynamoDBStreamsClient, streamArn: string) {
    this.#streams = streams;
    this.#streamArn = streamArn;
  }

  static async open(dynamo: DynamoDBClient, streams: DynamoDBStreamsClient, tableName: string) {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`Table ${tableName} has no stream (createTableInput enables one)`);
    return new StreamCursor(streams, arn);
  }

  /** The next batch with records, or undefined when every shard is read up to now. */
  async next(): Promise<StreamBatch | undefined> {
    await this.#discoverShards();
    for (const [shardId, shard] of this.#shards) {
      if (shard.done) continue;
      if (shard.parent && this.#shards.get(shard.parent)?.done === false) continue;
      shard.iterator ??= await this.#iterator(shardId, shard.after);
      const page = await this.#streams.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: STREAM_READING.batchSize }),
      );
      if (!page.NextShardIterator) shard.done = (page.Records ?? []).length === 0;
      const records = page.Records ?? [];
      if (records.length === 0) {
        if (page.NextShardIterator) shard.iterator = page.NextShardIterator;
        continue;
      }
      // Read again from here unless `advance` says the batch was published.
      shard.iterator = undefined;
      return {
        shardId,
        event: { Records: records.map((r) => toLambdaRecord(r, this.#streamArn)) },
      };
    }
    return undefined;
  }

  /** Everything up to and including `sequenceNumber` (default: the whole batch) is done with. */
  advance(batch: StreamBatch, sequenceNumber?: string): void {
    const shard = this.#shards.get(batch.shardId);
    if (!shard) return;
    const records = batch.event.Records;
    shard.after = sequenceNumber ?? records[records.length - 1]?.dynamodb?.SequenceNumber ?? shard.after;
  }

  /** Drains the stream: every batch so far through `publish`, which must succeed (tests). */
  async drain(publish: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>) {
    for (let batch = await this.next(); batch; batch = await this.next()) {
      const response = await publish(batch.event);
      if ((response?.batchItemFailures ?? []).length > 0) throw new Error('The publisher reported a failure');
      this.advance(batch);
    }
  }

  async #iterator(shardId: string, after: string | undefined): Promise<string> {
    const answer = await this.#streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.#streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    if (!answer.ShardIterator) throw new Error(`No iterator for shard ${shardId}`);
    return answer.ShardIterator;
  }

  async #discoverShards(): Promise<void> {
    let start: string | undefined;
    do {
      const page = await this.#streams.send(
        new DescribeStreamCommand({ StreamArn: this.#streamArn, ExclusiveStartShardId: start }),
      );
      const shards = page.StreamDescription?.Shards ?? [];
      for (const shard of shards) {
        if (!shard.ShardId || this.#shards.has(shard.ShardId)) continue;
        this.#shards.set(shard.ShardId, {
          ...(shard.ParentShardId ? { parent: shard.ParentShardId } : {}),
          done: false,
        });
      }
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }
}

/** The first record to read again after an invocation (undefined: the whole batch is published). */
export function resumeFrom(event: DynamoDBStreamEvent, response: unknown): 'ALL' | string | undefined {
  if (response === undefined || response === null) return undefined;
  const failures = (response as Partial<DynamoDBBatchResponse>).batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const sequence = event.Records.map((r) => r.dynamodb?.SequenceNumber);
  const positions = failures.map((f) => sequence.indexOf((f as { itemIdentifier?: string })?.itemIdentifier));
  // Lambda: an unknown identifier fails the whole batch; otherwise resume at the lowest.
  if (positions.some((p) => p < 0)) return 'ALL';
  return sequence[Math.min(...positions)];
}

export interface StreamReaderOptions {
  cursor: StreamCursor;
  /** Invokes the event publisher with one batch. */
  publish: (event: DynamoDBStreamEvent) => Promise<unknown>;
  log: (line: string) => void;
  /** Pause when the stream is read up to now (default 250 ms). */
  idleMs?: number;
  /** Pause before a retry (default 1 s). */
  retryDelayMs?: number;
}

export interface StreamReader {
  stop(): Promise<void>;
}

export function startStreamReader(options: StreamReaderOptions): StreamReader {
  const abort = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => {});
  const attempts = new Map<string, number>();

  async function step(): Promise<void> {
    const batch = await options.cursor.next();
    if (!batch) {
      await pause(options.idleMs ?? 250);
      return;
    }
    const records = batch.event.Records;
    const first = records[0]?.dynamodb?.SequenceNumber ?? '';
    let from: 'ALL' | string | undefined;
    try {
      from = resumeFrom(batch.event, await options.publish(batch.event));
    } catch (error) {
      options.log(`event-publisher: handler failed (${error instanceof Error ? error.name : 'Unknown'})`);
      from = 'ALL';
    }
    if (from === undefined) {
      attempts.delete(first);
      options.cursor.advance(batch);
      return;
    }
    const retryOf = from === 'ALL' ? first : from;
    const tries = (attempts.get(retryOf) ?? 0) + 1;
    attempts.set(retryOf, tries);
    if (tries > STREAM_READING.retryAttempts) {
      options.log(`event-publisher: gave up on ${records.length} record(s) from ${retryOf} (on-failure)`);
      attempts.delete(retryOf);
      options.cursor.advance(batch);
      return;
    }
    // Published up to the record before `from`; read again from there.
    const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === retryOf);
    if (index > 0) options.cursor.advance(batch, records[index - 1]?.dynamodb?.SequenceNumber);
    options.log(`event-publisher: retrying from record ${retryOf} (attempt ${tries})`);
    await pause(options.retryDelayMs ?? 1000);
  }

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await step();
      } catch (error) {
        if (abort.signal.aborted) break;
        options.log(`stream reader: ${error instanceof Error ? error.message : String(error)}`);
        await pause(options.retryDelayMs ?? 1000);
      }
    }
  })();

  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
