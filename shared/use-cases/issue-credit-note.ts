/**
 * Issues the credit note of one accepted unsubscribe order, exactly once:
 * 1. read the note; if it is issued and its PDF stored, done (a redelivered event);
 * 2. if there is none, build its content from the order and the instance and store it as a draft
 *    (keyed by the order: a concurrent or redelivered issuance finds it instead);
 * 3. until this note has its number: take the issuer's numbering lease and number every waiting
 *    draft (this one among them), a batch per transaction, renewing the lease before each batch;
 *    without the lease, wait a moment (longer the longer it takes) and read the note again (the
 *    holder numbers it);
 * 4. render the PDF from the stored note, store it once, and record where it is.
 * A crash anywhere leaves a state the next attempt finishes from: a draft is numbered by
 * whoever numbers next, an issued note without its PDF is rendered by the retry.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CreditNoteRenderer, CreditNoteStore, DocumentStore } from '#ports/credit-notes.ts';
import type { InstanceStore, UnsubscribeOrderStore } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import {
  type CreditNoteDocument,
  creditNoteContent,
  type IssuedCreditNote,
  type Issuer,
  isIssued,
} from '#shared/paperwork/credit-note.ts';

export interface IssueCreditNoteDeps {
  notes: CreditNoteStore;
  documents: DocumentStore;
  render: CreditNoteRenderer;
  unsubscribeOrders: Pick<UnsubscribeOrderStore, 'get'>;
  instances: Pick<InstanceStore, 'get'>;
  issuer: Issuer;
  clock: () => Millis;
  /** Waits between numbering attempts that lost a race (tests pass a shorter one). */
  sleep?: (ms: number) => Promise<void>;
  /** Numbering attempts before giving up (the event is then retried by its source; ~50 s of waits at most). */
  maxAttempts?: number;
  /** The numbering lease: how long it is held at most, and the clock it expires by (real time). */
  leaseMs?: number;
  leaseClock?: () => Millis;
}

export class CreditNoteNotIssuedError extends Error {
  constructor(unsubscribeOrderId: string) {
    super(`the credit note of ${unsubscribeOrderId} could not be numbered yet (contention); retry`);
    this.name = 'CreditNoteNotIssuedError';
  }
}

/** The order or its instance is missing: nothing to issue (an event about data that is not there). */
export class CreditNoteSourceMissingError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'CreditNoteSourceMissingError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The lease holder numbers batch after batch while drafts wait, renewing its lease once half of
 * it has passed (a long turn must not let the lease expire under it and another holder race it
 * for the counter); it stops when nothing waits or the lease is no longer its own.
 */
async function numberEverythingWaiting(
  deps: IssueCreditNoteDeps,
  lease: { issuerId: string; owner: string; ms: number; clock: () => Millis },
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let taken = lease.clock();
  for (let round = 0; round < 40; round++) {
    if (lease.clock() - taken > lease.ms / 2) {
      if (!(await deps.notes.lease(lease.issuerId, lease.owner, lease.clock(), lease.ms))) return;
      taken = lease.clock();
    }
    const numbered = await deps.notes.numberWaiting(lease.issuerId, deps.clock());
    if (numbered === 0) return;
    if (numbered === 'conflict') await sleep(Math.random() * 20);
  }
}

/**
 * How long an issuance without the lease waits before it reads its note again: growing with
 * the attempts from ~25 ms to at most ~525 ms, with jitter. A holder numbers 25 notes per
 * transaction, so a waiter is seldom numbered later than one wait after its batch; waiting
 * longer than that only adds reads (and, on one machine, takes the holder's turn at the table).
 */
/** Without the lease, an issuance asks for it again every this many attempts. */
export const LEASE_EVERY = 4;

export const waitBeforeRetry = (attempt: number, random = Math.random()): number =>
  25 + random * Math.min(500, 25 * attempt);

/** Where a note's PDF lives: by issuer, year and number (one object per number). */
export const creditNoteKey = (note: IssuedCreditNote): string =>
  `credit-notes/${note.issuer.id}/${note.year}/${note.number}.pdf`;

export async function issueCreditNote(
  deps: IssueCreditNoteDeps,
  accountId: string,
  unsubscribeOrderId: string,
): Promise<IssuedCreditNote & { document: CreditNoteDocument }> {
  let note = await deps.notes.get(accountId, unsubscribeOrderId);
  if (!note) {
    const order = await deps.unsubscribeOrders.get(accountId, unsubscribeOrderId);
    if (!order) throw new CreditNoteSourceMissingError('Unsubscribe order');
    const instance = await deps.instances.get(accountId, order.instanceId);
    if (!instance) throw new CreditNoteSourceMissingError('Instance');
    await deps.notes.draft(creditNoteContent(order, instance, deps.issuer));
    note = await deps.notes.get(accountId, unsubscribeOrderId);
  }

  const sleep = deps.sleep ?? defaultSleep;
  const maxAttempts = deps.maxAttempts ?? 100;
  const leaseMs = deps.leaseMs ?? 10_000;
  const leaseClock = deps.leaseClock ?? Date.now;
  const owner = randomUUID();
  // How long the last read of the note took: a slow table (a burst) makes waiters wait longer,
  // so their reads do not crowd out the holder's numbering.
  let lastReadMs = 0;
  for (let attempt = 1; !isIssued(note); attempt++) {
    if (attempt > maxAttempts) throw new CreditNoteNotIssuedError(unsubscribeOrderId);
    const issuerId = note?.issuer.id ?? deps.issuer.id;
    // A waiter mostly just reads its note; it asks for the lease again now and then, in case the
    // holder died or finished before this draft was written.
    const askForLease = attempt === 1 || attempt % LEASE_EVERY === 0;
    if (askForLease && (await deps.notes.lease(issuerId, owner, leaseClock(), leaseMs))) {
      try {
        await numberEverythingWaiting(deps, { issuerId, owner, ms: leaseMs, clock: leaseClock }, sleep);
      } finally {
        await deps.notes.release(issuerId, owner);
      }
    } else {
      await sleep(Math.max(waitBeforeRetry(attempt), 2 * lastReadMs));
    }
    const asked = leaseClock();
    note = await deps.notes.get(accountId, unsubscribeOrderId);
    lastReadMs = leaseClock() - asked;
  }

  if (note.document) return { ...note, document: note.document };
  const pdf = await deps.render(note);
  const key = creditNoteKey(note);
  await deps.documents.putOnce(key, pdf, 'application/pdf');
  const document = { key, sha256: createHash('sha256').update(pdf).digest('hex'), bytes: pdf.length };
  await deps.notes.setDocument(accountId, unsubscribeOrderId, document);
  const stored = await deps.notes.get(accountId, unsubscribeOrderId);
  return { ...note, document: stored?.document ?? document };
}
