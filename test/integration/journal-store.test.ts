/**
 * The journal on DynamoDB Local and fauxqs's S3: a fact delivered many times at once is posted
 * once; a day's export is written as JSON Lines and CSV, and re-running it gives the same bytes.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DynamoJournal } from '#adapters/dynamo/journal.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { CSV_HEADER, DEFAULT_CHART, exportCsv } from '#shared/paperwork/journal.ts';
import { paperworkTables } from '#test/support/paperwork.ts';
import {
  closedDays,
  exportClosedDays,
  exportDay,
  JournalExportChangedError,
  journalExportKey,
  postFact,
} from '#use-cases/journal.ts';

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

    const exportDeps = { ...deps, documents: env.documents };
    const first = await exportDay(exportDeps, '2026-03-05');
    const second = await exportDay(exportDeps, '2026-03-05');
    expect(first.outcome).toBe('WRITTEN');
    expect(second).toEqual({ outcome: 'UNCHANGED', export: first.export });
    expect(first.export.entries).toBe(3);
    const csv = await env.s3.send(
      new GetObjectCommand({ Bucket: env.bucket, Key: first.export.files.csv.key }),
    );
    expect(await csv.Body?.transformToString()).toBe(exportCsv(entries));
    expect(first.export.files.csv.key).toBe('journal/2026/2026-03-05.csv');
  });
});

describe('the scheduled export', () => {
  it('exports the closed day and catches up the days a missed run left; a closed day that changed fails the run and keeps its files', async () => {
    const env = await paperworkTables();
    let now = Date.parse('2026-03-03T10:00:00.000Z');
    const journal = new DynamoJournal(env.table);
    const deps = { journal, chart: DEFAULT_CHART, clock: () => now };
    expect(await postFact(deps, accepted(1))).toBe('POSTED'); // posted on 2026-03-03 (UTC+8)
    now = Date.parse('2026-03-05T15:59:59.000Z'); // 23:59:59 UTC+8
    expect(await postFact(deps, accepted(2))).toBe('POSTED'); // posted on 2026-03-05
    const exportDeps = { journal, documents: env.documents, clock: () => now };

    // 00:30 UTC+8 on 6 March: 27 February … 5 March, the days before included.
    const run = Date.parse('2026-03-05T16:30:00.000Z');
    expect(closedDays(run)).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
    ]);
    expect(await exportClosedDays(exportDeps, run)).toEqual({
      closedDay: '2026-03-05',
      days: 7,
      written: 7,
      unchanged: 0,
      entries: 2,
    });
    const empty = await env.documents.get(journalExportKey('2026-03-04', 'csv'));
    expect(Buffer.from(empty ?? []).toString('utf8')).toBe(`${CSV_HEADER.join(',')}\r\n`);
    const before = await env.documents.get(journalExportKey('2026-03-05', 'jsonl'));
    expect(Buffer.from(before ?? []).toString('utf8')).toContain('"unsubscribeOrderId":"uo-2"');

    // The next day's run writes one day and checks six.
    expect(await exportClosedDays(exportDeps, run + 86_400_000)).toMatchObject({ written: 1, unchanged: 6 });

    // An entry lands in an exported day (a clock far behind): the run fails naming the day,
    // the other days are still handled, and the export is not replaced.
    now = Date.parse('2026-03-05T12:00:00.000Z');
    expect(await postFact(deps, accepted(3))).toBe('POSTED');
    const failed = exportClosedDays(exportDeps, run + 86_400_000);
    await expect(failed).rejects.toThrow(JournalExportChangedError);
    await expect(failed).rejects.toMatchObject({ days: ['2026-03-05'] });
    expect(await env.documents.get(journalExportKey('2026-03-05', 'jsonl'))).toEqual(before);
    expect((await journal.exportOf('2026-03-05'))?.entries).toBe(1);
  });
});
