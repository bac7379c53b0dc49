/**
 * Issues the credit note of one accepted unsubscribe order, exactly once:
 * 1. read the note; if it is issued and its PDF stored, done (a redelivered event);
 * 2. if there is none, build its content from the order and the instance and store it as a draft
 *    (keyed by the order: a concurrent or redelivered issuance finds it instead);
 * 3. until this note has its number: take the issuer's numbering lease and number every waiting
 *    draft (this one among them), a batch per transaction; without the lease, wait a moment and
 *    read the note again (the holder numbers it);
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
  /** Numbering attempts before giving up (the event is then retried by its source). */
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

/** The lease holder numbers batch after batch while drafts wait (a few rounds at most per turn). */
async function numberEverythingWaiting(
  deps: IssueCreditNoteDeps,
  issuerId: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  for (let round = 0; round < 40; round++) {
    const numbered = await deps.notes.numberWaiting(issuerId, deps.clock());
    if (numbered === 0) return;
    if (numbered === 'conflict') await sleep(Math.random() * 20);
  }
}

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
  const maxAttempts = deps.maxAttempts ?? 200;
  const leaseMs = deps.leaseMs ?? 10_000;
  const leaseClock = deps.leaseClock ?? Date.now;
  const owner = randomUUID();
  for (let attempt = 1; !isIssued(note); attempt++) {
    if (attempt > maxAttempts) throw new CreditNoteNotIssuedError(unsubscribeOrderId);
    const issuerId = note?.issuer.id ?? deps.issuer.id;
    if (await deps.notes.lease(issuerId, owner, leaseClock(), leaseMs)) {
      try {
        await numberEverythingWaiting(deps, issuerId, sleep);
      } finally {
        await deps.notes.release(issuerId, owner);
      }
    } else {
      await sleep(10 + Math.random() * Math.min(250, 10 * attempt));
    }
    note = await deps.notes.get(accountId, unsubscribeOrderId);
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
