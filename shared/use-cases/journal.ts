/**
 * The journal's two jobs.
 *
 * Posting a fact: 1. turn the domain event into its balanced entry (none for facts that move no
 * money); 2. put it once, keyed by the fact's id (a redelivered event finds it posted).
 *
 * Exporting a closed day (UTC+8): 1. read the day's entries; 2. write them as JSON Lines and CSV
 * to `journal/<year>/<day>.jsonl|csv`, once, and record the export (a re-run makes the same
 * bytes: the files depend only on the entries, which are immutable and posted on their posting
 * day, so it checks them against the record instead of writing).
 */
import { createHash } from 'node:crypto';
import type { DocumentStore } from '#ports/credit-notes.ts';
import type { DayExport, JournalExportFormat, JournalStore } from '#ports/journal.ts';
import type { Millis } from '#shared/domain.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { billingDate } from '#shared/paperwork/credit-note.ts';
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

export const journalExportKey = (day: string, format: JournalExportFormat) =>
  `journal/${day.slice(0, 4)}/${day}.${format}`;

export const JOURNAL_EXPORT_TYPES: Record<JournalExportFormat, string> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

/** How many closed days each scheduled run exports (or checks): a missed run is caught up. */
export const EXPORT_LOOKBACK_DAYS = 7;

/** A closed day's entries no longer give the bytes its export was written with (never expected). */
export class JournalExportChangedError extends Error {
  readonly days: readonly string[];

  constructor(days: readonly string[]) {
    super(`the journal of ${days.join(', ')} no longer matches its export; the exports were kept`);
    this.name = 'JournalExportChangedError';
    this.days = days;
  }
}

export interface ExportDeps {
  journal: JournalStore;
  documents: Pick<DocumentStore, 'putOnce'>;
  clock: () => Millis;
}

const sha256 = (body: Uint8Array) => createHash('sha256').update(body).digest('hex');

const sameExport = (a: DayExport, b: Omit<DayExport, 'exportedAt'>) =>
  a.entries === b.entries &&
  (['jsonl', 'csv'] as const).every(
    (f) => a.files[f].sha256 === b.files[f].sha256 && a.files[f].bytes === b.files[f].bytes,
  );

/**
 * Exports one closed day: 1. read its entries and make both files; 2. if the day's export is
 * recorded, check the files are the same bytes (`UNCHANGED`; a difference throws
 * `JournalExportChangedError` and writes nothing); 3. otherwise store both files once and record
 * the export (`WRITTEN`). A crash between the files and the record is finished by the next run,
 * which makes the same bytes.
 */
export async function exportDay(
  deps: ExportDeps,
  day: string,
): Promise<{ outcome: 'WRITTEN' | 'UNCHANGED'; export: DayExport }> {
  const entries = await deps.journal.day(day);
  const bodies = {
    jsonl: Buffer.from(exportJsonLines(entries), 'utf8'),
    csv: Buffer.from(exportCsv(entries), 'utf8'),
  };
  const made = {
    day,
    entries: entries.length,
    files: Object.fromEntries(
      (['jsonl', 'csv'] as const).map((format) => [
        format,
        { key: journalExportKey(day, format), bytes: bodies[format].length, sha256: sha256(bodies[format]) },
      ]),
    ) as DayExport['files'],
  };
  const check = (recorded: DayExport) => {
    if (!sameExport(recorded, made)) throw new JournalExportChangedError([day]);
    return { outcome: 'UNCHANGED' as const, export: recorded };
  };
  const recorded = await deps.journal.exportOf(day);
  if (recorded) return check(recorded);
  for (const format of ['jsonl', 'csv'] as const)
    await deps.documents.putOnce(made.files[format].key, bodies[format], JOURNAL_EXPORT_TYPES[format]);
  const record: DayExport = { ...made, exportedAt: deps.clock() };
  if (await deps.journal.recordExport(record)) return { outcome: 'WRITTEN', export: record };
  // A concurrent run recorded it first.
  return check((await deps.journal.exportOf(day)) ?? record);
}

/** The closed days a run at `now` exports, oldest first: the last `count` UTC+8 days before today's. */
export function closedDays(now: Millis, count = EXPORT_LOOKBACK_DAYS): string[] {
  return Array.from({ length: count }, (_, i) => billingDate(now - (count - i) * 86_400_000));
}

export interface ExportRunSummary {
  closedDay: string;
  days: number;
  written: number;
  unchanged: number;
  entries: number;
}

/**
 * The scheduled export (00:30 UTC+8): exports the closed day, and any of the days before it
 * (`EXPORT_LOOKBACK_DAYS` in all) that a missed run left without one; a day exported already is
 * checked to still give the same bytes. Every day is tried; a changed one fails the run after.
 */
export async function exportClosedDays(
  deps: ExportDeps,
  now: Millis,
  count = EXPORT_LOOKBACK_DAYS,
): Promise<ExportRunSummary> {
  const days = closedDays(now, count);
  const summary: ExportRunSummary = {
    closedDay: days[days.length - 1] ?? '',
    days: days.length,
    written: 0,
    unchanged: 0,
    entries: 0,
  };
  const changed: string[] = [];
  for (const day of days) {
    try {
      const result = await exportDay(deps, day);
      summary[result.outcome === 'WRITTEN' ? 'written' : 'unchanged']++;
      summary.entries += result.export.entries;
    } catch (error) {
      if (!(error instanceof JournalExportChangedError)) throw error;
      changed.push(day);
    }
  }
  if (changed.length > 0) throw new JournalExportChangedError(changed);
  return summary;
}
