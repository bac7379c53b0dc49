/**
 * The journal's two jobs.
 *
 * Posting a fact: 1. turn the domain event into its balanced entry (none for facts that move no
 * money); 2. put it once, keyed by the fact's id (a redelivered event finds it posted).
 *
 * Exporting a closed day (UTC+8): 1. read the day's entries; 2. write them as JSON Lines and CSV
 * to `journal/<year>/<day>.jsonl|csv`, once (a re-run writes the same bytes: the files depend
 * only on the entries, which are immutable and posted on their posting day).
 */
import { createHash } from 'node:crypto';
import type { DocumentStore } from '#ports/credit-notes.ts';
import type { JournalStore } from '#ports/journal.ts';
import type { Millis } from '#shared/domain.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import {
  type ChartOfAccounts,
  exportCsv,
  exportJsonLines,
  isBalanced,
  journalEntry,
} from '#shared/paperwork/journal.ts';

export interface JournalDeps {
  journal: JournalStore;
  chart: ChartOfAccounts;
  clock: () => Millis;
}

export async function postFact(
  deps: JournalDeps,
  event: DomainEvent,
): Promise<'POSTED' | 'DUPLICATE' | 'NONE'> {
  const entry = journalEntry(event, deps.chart, deps.clock());
  if (!entry) return 'NONE';
  if (!isBalanced(entry)) throw new Error(`entry ${entry.entryId} does not balance`);
  return (await deps.journal.post(entry)) ? 'POSTED' : 'DUPLICATE';
}

export const journalExportKey = (day: string, format: 'jsonl' | 'csv') =>
  `journal/${day.slice(0, 4)}/${day}.${format}`;

export interface DayExport {
  day: string;
  entries: number;
  files: Record<'jsonl' | 'csv', { key: string; bytes: number; sha256: string }>;
}

export async function exportDay(
  deps: Pick<JournalDeps, 'journal'> & { documents: Pick<DocumentStore, 'putOnce'> },
  day: string,
): Promise<DayExport> {
  const entries = await deps.journal.day(day);
  const contents = { jsonl: exportJsonLines(entries), csv: exportCsv(entries) };
  const files = {} as DayExport['files'];
  for (const format of ['jsonl', 'csv'] as const) {
    const body = Buffer.from(contents[format], 'utf8');
    const key = journalExportKey(day, format);
    await deps.documents.putOnce(
      key,
      body,
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    );
    files[format] = { key, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  }
  return { day, entries: entries.length, files };
}
