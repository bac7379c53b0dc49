/** What issuing credit notes needs from storage, from the document store and from the renderer. */
import type { Millis } from '#shared/domain.ts';
import type {
  CreditNoteContent,
  CreditNoteDocument,
  CreditNoteRecord,
  IssuedCreditNote,
} from '#shared/paperwork/credit-note.ts';

export interface CreditNoteStore {
  get(accountId: string, unsubscribeOrderId: string): Promise<CreditNoteRecord | null>;
  /**
   * Stores the note's content as a draft waiting for its number (with its place in the issuer's
   * waiting list), unless the order has a note already. Returns false when it had one.
   */
  draft(content: CreditNoteContent): Promise<boolean>;
  /**
   * Numbers the oldest drafts waiting for `issuerId` in one transaction: the series' counter
   * moves from n to n+k and those k drafts get n+1…n+k, issued at `now` (or at the series' last
   * issue time, if later: dates never go backwards within a series). Returns how many it
   * numbered, 0 when none waited, or `'conflict'` when another numbering won the race (nothing
   * was written: try again).
   */
  numberWaiting(issuerId: string, now: Millis): Promise<number | 'conflict'>;
  /**
   * Takes the issuer's numbering lease for `ms` (true), unless another owner holds an unexpired
   * one. Only an optimisation: numbering is correct without it (the counter's condition), the
   * lease just keeps concurrent issuances from all racing for the counter.
   */
  lease(issuerId: string, owner: string, now: Millis, ms: number): Promise<boolean>;
  release(issuerId: string, owner: string): Promise<void>;
  /** Records where the rendered PDF is, once (a second call keeps the first). */
  setDocument(accountId: string, unsubscribeOrderId: string, document: CreditNoteDocument): Promise<void>;
}

/** Private object storage for rendered documents. */
export interface DocumentStore {
  /** Stores the bytes under `key` unless an object is there already (issued documents are never replaced). */
  putOnce(key: string, body: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  /** A short-lived GET link to the object. */
  link(key: string, expiresInSeconds: number, downloadName: string): Promise<string>;
}

export type CreditNoteRenderer = (note: IssuedCreditNote) => Promise<Uint8Array>;
