/** The account ledger as `GET /account/balance` reads it (immutable entries). */
import type { LedgerEntry } from '#shared/model.ts';

export interface LedgerReader {
  entries(accountId: string): Promise<LedgerEntry[]>;
}
