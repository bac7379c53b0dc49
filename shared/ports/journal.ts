/** Where journal entries are kept: posted once per fact, read back per posting day. */
import type { JournalEntry } from '#shared/paperwork/journal.ts';

export interface JournalStore {
  /** Posts the entry unless its fact was posted already (false). */
  post(entry: JournalEntry): Promise<boolean>;
  /** Every entry posted on `day` (UTC+8), in posting order. */
  day(day: string): Promise<JournalEntry[]>;
}
