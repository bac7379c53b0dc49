/**
 * Tells the customer about one fact, once per event id:
 * 1. decide whether the event is one the customer is told about (an accepted order, a completed
 *    refund, a refund credited to the balance instead of the payment method); others are ignored;
 * 2. claim the event in the notification log (a conditional put): a redelivered event finds it
 *    done and sends nothing; one still being sent elsewhere is retried later;
 * 3. find the account's contact (none: recorded as skipped);
 * 4. write the email from the order (and its instance, or its credit note, attached when issued);
 * 5. send it; a failure releases the claim and is thrown, so the event is retried (settlement
 *    never waits for any of this: emails are a consumer of the bus);
 * 6. record it as sent with the transport's message id.
 * The address is used only to send: never logged, never stored beside the log.
 */
import { randomUUID } from 'node:crypto';
import type { CreditNoteStore, DocumentStore } from '#ports/credit-notes.ts';
import type { ContactStore, Mailer, NotificationLog } from '#ports/notifications.ts';
import type { InstanceStore, UnsubscribeOrderStore } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import type { LineCreditCause } from '#shared/model.ts';
import { isIssued } from '#shared/paperwork/credit-note.ts';
import {
  type EmailContent,
  movedToBalanceEmail,
  orderAcceptedEmail,
  refundArrivedEmail,
} from '#shared/paperwork/emails.ts';
import { type Attachment, renderMime } from '#shared/paperwork/mime.ts';

export interface NotifyDeps {
  log: NotificationLog;
  contacts: Pick<ContactStore, 'get'>;
  mailer: Mailer;
  from: string;
  unsubscribeOrders: Pick<UnsubscribeOrderStore, 'get'>;
  instances: Pick<InstanceStore, 'get'>;
  notes: Pick<CreditNoteStore, 'get'>;
  documents: Pick<DocumentStore, 'get'>;
  clock: () => Millis;
  /** How long a completed refund's email waits for its credit note to be issued (default 10 s). */
  noteWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type NotifyOutcome = 'SENT' | 'SKIPPED' | 'DUPLICATE' | 'IGNORED';

/** Another sender holds this event's claim: retry later (the event source redelivers). */
export class NotificationBusyError extends Error {
  constructor() {
    super('this event is being notified by another invocation');
    this.name = 'NotificationBusyError';
  }
}

const LEASE_MS = 60_000;

export const NOTIFIED_TYPES = [
  'UnsubscribeOrderAccepted',
  'UnsubscribeOrderSucceeded',
  'AccountBalanceCredited',
] as const;

const concerns = (event: DomainEvent): boolean =>
  event.type === 'UnsubscribeOrderAccepted' ||
  event.type === 'UnsubscribeOrderSucceeded' ||
  (event.type === 'AccountBalanceCredited' && event.data.cause !== 'REFUND_TO_BALANCE');

export async function notifyCustomer(deps: NotifyDeps, event: DomainEvent): Promise<NotifyOutcome> {
  if (!concerns(event)) return 'IGNORED';
  const { accountId } = event;
  const owner = randomUUID();
  const claim = await deps.log.claim(accountId, event.id, owner, deps.clock(), LEASE_MS);
  if (claim === 'done') return 'DUPLICATE';
  if (claim === 'busy') throw new NotificationBusyError();
  try {
    const contact = await deps.contacts.get(accountId);
    const order = await deps.unsubscribeOrders.get(accountId, String(event.data.unsubscribeOrderId));
    if (!contact || !order) {
      await deps.log.complete(accountId, event.id, {
        kind: event.type,
        status: 'SKIPPED',
        reason: contact ? 'NO_ORDER' : 'NO_CONTACT',
        at: deps.clock(),
      });
      return 'SKIPPED';
    }
    let content: EmailContent;
    const attachments: Attachment[] = [];
    if (event.type === 'UnsubscribeOrderAccepted') {
      const instance = await deps.instances.get(accountId, order.instanceId);
      if (!instance) throw new Error('the order has no instance');
      content = orderAcceptedEmail(order, instance);
    } else if (event.type === 'UnsubscribeOrderSucceeded') {
      const note = await issuedNote(deps, accountId, order.unsubscribeOrderId);
      const pdf = note?.document ? await deps.documents.get(note.document.key) : null;
      if (note && pdf)
        attachments.push({ filename: `${note.number}.pdf`, contentType: 'application/pdf', content: pdf });
      content = refundArrivedEmail(order, note && pdf ? note.number : null);
    } else {
      content = movedToBalanceEmail(order, {
        orderId: String(event.data.orderId),
        amount: Number(event.data.amount),
        currency: String(event.data.currency),
        cause: event.data.cause as LineCreditCause,
      });
    }
    const raw = renderMime({
      from: deps.from,
      to: contact.email,
      subject: content.subject,
      text: content.text,
      html: content.html,
      attachments,
      date: new Date(deps.clock()),
      id: event.id,
      headers: { 'X-Refund-Notice': content.kind },
    });
    const { messageId } = await deps.mailer.send({ from: deps.from, to: contact.email, raw });
    await deps.log.complete(accountId, event.id, {
      kind: content.kind,
      status: 'SENT',
      messageId,
      at: deps.clock(),
    });
    return 'SENT';
  } catch (error) {
    await deps.log.release(accountId, event.id, owner);
    throw error;
  }
}

/** The order's credit note once issued with its PDF, waiting a little for it (it is issued in parallel). */
async function issuedNote(deps: NotifyDeps, accountId: string, unsubscribeOrderId: string) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (deps.noteWaitMs ?? 10_000);
  for (;;) {
    const note = await deps.notes.get(accountId, unsubscribeOrderId);
    if (isIssued(note) && note.document) return note;
    if (Date.now() >= deadline) return null;
    await sleep(250);
  }
}
