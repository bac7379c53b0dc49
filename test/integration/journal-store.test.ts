/**
 * The journal on DynamoDB Local and fauxqs's S3: a fact delivered many times at once is posted
 * once; a day's export is written as JSON Lines and CSV, and re-running it gives the same bytes.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DynamoJournal } from '#adapters/dynamo/journal.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { DEFAULT_CHART, exportCsv } from '#shared/paperwork/journal.ts';
import { paperworkTables } from '#test/support/paperwork.ts';
import { exportDay, postFact } from '#use-cases/journal.ts';

const accepted = (n: number): DomainEvent => ({
  id: n.toString(16).padStart(32, 'a'),
  type: 'UnsubscribeOrderAccepted',
  version: 1,
  accountId: 'acct-1',
  occurredAt: '2026-03-05T10:00:00.000Z',
  data: {
    unsubscribeOrderId: `uo-${n}`,
    instanceId: `i-${n}`,
    kind: 'UNSUBSCRIBE',
    refundType: 'PARTIAL_REFUND',
    currency: 'USD',
    refundAmount: 1000 + n,
    dueBy: '2026-03-07T16:00:00.000Z',
  },
});

describe('journal store', () => {
  it('posts a fact once however often it arrives, and exports a day to the same bytes on every run', async () => {
    const env = await paperworkTables();
    let now = Date.parse('2026-03-05T10:00:01.000Z');
    const deps = { journal: new DynamoJournal(env.table), chart: DEFAULT_CHART, clock: () => now++ };
    const outcomes = await Promise.all(
      [1, 2, 3].flatMap((n) => Array.from({ length: 5 }, () => postFact(deps, accepted(n)))),
    );
    expect(outcomes.filter((o) => o === 'POSTED')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'DUPLICATE')).toHaveLength(12);
    const entries = await deps.journal.day('2026-03-05');
    expect(entries.map((e) => e.unsubscribeOrderId).sort()).toEqual(['uo-1', 'uo-2', 'uo-3']);

    const first = await exportDay({ ...deps, documents: env.documents }, '2026-03-05');
    const second = await exportDay({ ...deps, documents: env.documents }, '2026-03-05');
    expect(second).toEqual(first);
    expect(first.entries).toBe(3);
    const csv = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: first.files.csv.key }));
    expect(await csv.Body?.transformToString()).toBe(exportCsv(entries));
    expect(first.files.csv.key).toBe('journal/2026/2026-03-05.csv');
  });
});
