/** Where journal entries are kept: posted once per fact, read back per posting day. */
import type { Millis } from '#shared/domain.ts';
import type { JournalEntry } from '#shared/paperwork/journal.ts';

export type JournalExportFormat = 'jsonl' | 'csv';

/** A day's export as written: its files (key, size, SHA-256) and how many entries it holds. */
export interface DayExport {
  day: string;
  entries: number;
  files: Record<JournalExportFormat, { key: string; bytes: number; sha256: string }>;
  exportedAt: Millis;
}

export interface JournalStore {
  /** Posts the entry unless its fact was posted already (false). */
  post(entry: JournalEntry): Promise<boolean>;
  /** Every entry posted on `day` (UTC+8), in posting order. */
  day(day: string): Promise<JournalEntry[]>;
  /** The record of `day`'s export, or null before it is written. */
  exportOf(day: string): Promise<DayExport | null>;
  /** Records a day's export once (false: it was recorded already, and is kept). */
  recordExport(record: DayExport): Promise<boolean>;
}
