/** What the customer emails need: the account's contact, a record of what was sent, a mail transport. */
import type { Millis } from '#shared/domain.ts';

/** Personal data: never logged, never in an event. */
export interface Contact {
  email: string;
  name?: string;
}

export interface ContactStore {
  get(accountId: string): Promise<Contact | null>;
  put(accountId: string, contact: Contact, now: Millis): Promise<void>;
}

/**
 * One record per event id: claimed before sending (a lease, so a sender that dies mid-send is
 * retried later), completed after. `claim` answers `done` when the event's email went out (or
 * was skipped) already, `busy` while another sender holds an unexpired claim.
 */
export interface NotificationLog {
  claim(
    accountId: string,
    eventId: string,
    owner: string,
    now: Millis,
    leaseMs: number,
  ): Promise<'claimed' | 'done' | 'busy'>;
  complete(
    accountId: string,
    eventId: string,
    outcome: { kind: string; status: 'SENT' | 'SKIPPED'; messageId?: string; reason?: string; at: Millis },
  ): Promise<void>;
  release(accountId: string, eventId: string, owner: string): Promise<void>;
}

export interface Mailer {
  /** Sends a rendered MIME message; answers the transport's message id. */
  send(message: { from: string; to: string; raw: string }): Promise<{ messageId: string }>;
}
