/**
 * Domain events derived from item transitions of the table's stream (NEW_AND_OLD_IMAGES): the
 * facts are committed by the same transactions that change the items, so publishing what the
 * stream shows is a transactional outbox. Pure: one stream record in, its events out. Ids are
 * deterministic (a digest of the type, the item key and the transition), so a redelivered
 * record yields the same ids and consumers de-duplicate by id. No personal data: no reason
 * text, no payment references.
 *
 * Published by `functions/event-publisher.ts` (the table's stream → EventBridge); only items whose
 * sort key starts with one of `EVENT_SOURCE_PREFIXES` can carry events, and the stack's stream
 * filter is built from that list.
 */
import { createHash } from 'node:crypto';
import type { Millis } from '#shared/domain.ts';

type Item = Record<string, unknown>;

export interface ItemChange {
  /** `pk`/`sk` of the item. */
  key: { pk: string; sk: string };
  oldImage: Item | null;
  newImage: Item | null;
  /** When the change was written (the stream record's approximate creation time). */
  at: Millis;
}

export type DomainEventType =
  | 'InstanceUnsubscribed'
  | 'InstanceRestored'
  | 'InstanceReleased'
  | 'RetentionDataPurged'
  | 'RenewalCancelled'
  | 'RefundLineSubmitted'
  | 'RefundLineSettled'
  | 'RefundLineReversed'
  | 'AccountBalanceCredited'
  | 'UnsubscribeOrderSucceeded'
  | 'UnsubscribeOrderNeedsAttention'
  | 'SlaBreached';

export interface DomainEvent {
  id: string;
  type: DomainEventType;
  version: 1;
  accountId: string;
  occurredAt: string;
  data: Record<string, string | number>;
}

const accountOf = (pk: string) => pk.replace(/^ACCT#/, '');
const iso = (ms: Millis) => new Date(ms).toISOString();
const num = (value: unknown, fallback: Millis): Millis => (typeof value === 'number' ? value : fallback);

function event(
  change: ItemChange,
  type: DomainEventType,
  transition: string,
  occurredAt: Millis,
  data: DomainEvent['data'],
): DomainEvent {
  const id = createHash('sha256')
    .update(`${type}|${change.key.pk}|${change.key.sk}|${transition}`)
    .digest('hex')
    .slice(0, 32);
  return { id, type, version: 1, accountId: accountOf(change.key.pk), occurredAt: iso(occurredAt), data };
}

function instanceEvents(change: ItemChange): DomainEvent[] {
  const before = change.oldImage;
  const after = change.newImage;
  if (!after) return [];
  const instanceId = String(after.instanceId);
  const version = String(after.version);
  const events: DomainEvent[] = [];
  const was = before?.status;
  if (was === 'ACTIVE' && after.status === 'UNSUBSCRIBED')
    events.push(
      event(change, 'InstanceUnsubscribed', version, num(after.unsubscribedAt, change.at), { instanceId }),
    );
  if (was === 'UNSUBSCRIBED' && after.status === 'ACTIVE')
    events.push(event(change, 'InstanceRestored', version, change.at, { instanceId }));
  const retention = (image: Item | null | undefined) =>
    (image?.retention ?? null) as Record<string, { status: string; purgedAt?: number | null }> | null;
  for (const [field, kind] of [
    ['configData', 'CONFIG'],
    ['logData', 'LOG'],
  ] as const) {
    const old = retention(before)?.[field];
    const now = retention(after)?.[field];
    if (now?.status === 'PURGED' && old?.status !== 'PURGED')
      events.push(
        event(change, 'RetentionDataPurged', `${version}#${kind}`, num(now.purgedAt, change.at), {
          instanceId,
          kind,
        }),
      );
  }
  if (after.status === 'RELEASED' && was !== 'RELEASED') {
    // Released by the purge of its last kind: that purge's time.
    const purgedAts = Object.values(retention(after) ?? {}).map((r) => r.purgedAt ?? 0);
    const releasedAt = purgedAts.length > 0 ? Math.max(...purgedAts) : 0;
    events.push(event(change, 'InstanceReleased', version, releasedAt || change.at, { instanceId }));
  }
  return events;
}

interface LineImage {
  orderId: string;
  status: string;
  refundAmount: number;
  destination: string;
  settledTo?: string | null;
  settledAt?: number | null;
  submittedAt?: number;
}

interface HistoryImage {
  status: string;
  at: number;
  note?: string;
  orderId?: string;
}

function unsubscribeOrderEvents(change: ItemChange): DomainEvent[] {
  const before = change.oldImage;
  const after = change.newImage;
  if (!after) return [];
  const unsubscribeOrderId = String(after.unsubscribeOrderId);
  const base = { unsubscribeOrderId, instanceId: String(after.instanceId) };
  const events: DomainEvent[] = [];
  if (!before && after.type === 'CANCEL_RENEWAL')
    events.push(
      event(change, 'RenewalCancelled', 'created', num(after.createdAt, change.at), {
        ...base,
        currency: String(after.currency),
        refundAmount: Number(after.refundAmount),
      }),
    );
  const history = (after.history ?? []) as HistoryImage[];
  const oldLines = new Map(((before?.lines ?? []) as LineImage[]).map((line) => [line.orderId, line]));
  for (const line of (after.lines ?? []) as LineImage[]) {
    const old = oldLines.get(line.orderId);
    const lineData = {
      ...base,
      orderId: line.orderId,
      currency: String(after.currency),
      refundAmount: line.refundAmount,
    };
    if (line.status === 'SUBMITTED' && old?.status !== 'SUBMITTED')
      events.push(
        event(
          change,
          'RefundLineSubmitted',
          `${line.orderId}#SUBMITTED`,
          num(line.submittedAt, change.at),
          lineData,
        ),
      );
    if (line.status === 'SETTLED' && old?.status !== 'SETTLED')
      events.push(
        event(change, 'RefundLineSettled', line.orderId, num(line.settledAt, change.at), {
          ...lineData,
          destination: line.settledTo ?? line.destination,
        }),
      );
    // Settled to the card, then failed there (Stripe): moved to the balance.
    if (
      old?.status === 'SETTLED' &&
      old.settledTo === 'ORIGINAL_PAYMENT_METHOD' &&
      line.settledTo === 'ACCOUNT_BALANCE'
    ) {
      const note = history.findLast((h) => h.note === 'REFUND_REVERSED' && h.orderId === line.orderId);
      events.push(
        event(change, 'RefundLineReversed', `${line.orderId}#REVERSED`, num(note?.at, change.at), {
          ...lineData,
          destination: 'ACCOUNT_BALANCE',
        }),
      );
    }
  }
  if (after.status !== before?.status && after.status === 'SUCCEEDED')
    events.push(
      event(change, 'UnsubscribeOrderSucceeded', 'SUCCEEDED', num(after.settledAt, change.at), {
        ...base,
        currency: String(after.currency),
        refundAmount: Number(after.refundAmount),
      }),
    );
  if (after.status !== before?.status && after.status === 'NEEDS_ATTENTION') {
    const attempt = history.length;
    const at = history.findLast((h) => h.status === 'NEEDS_ATTENTION')?.at;
    events.push(event(change, 'UnsubscribeOrderNeedsAttention', String(attempt), num(at, change.at), base));
  }
  if (after.slaBreached === true && before?.slaBreached !== true)
    events.push(
      // Found when the order settles after its dueBy.
      event(change, 'SlaBreached', 'breached', num(after.settledAt, change.at), {
        ...base,
        dueBy: iso(Number(after.dueBy)),
      }),
    );
  return events;
}

/** A balance credit: the ledger entry's insert (entries are immutable, put once per line). */
function ledgerEvents(change: ItemChange): DomainEvent[] {
  const entry = change.newImage;
  if (change.oldImage || !entry) return [];
  return [
    event(change, 'AccountBalanceCredited', 'created', num(entry.createdAt, change.at), {
      unsubscribeOrderId: String(entry.unsubscribeOrderId),
      orderId: String(entry.orderId),
      currency: String(entry.currency),
      amount: Number(entry.amount),
      cause: String(entry.cause),
    }),
  ];
}

const DERIVERS = {
  'INST#': instanceEvents,
  'UORDER#': unsubscribeOrderEvents,
  'LEDGER#': ledgerEvents,
} as const satisfies Record<string, (change: ItemChange) => DomainEvent[]>;

/** The sort-key prefixes of the items that carry events (the stack filters the stream by them). */
export const EVENT_SOURCE_PREFIXES = Object.keys(DERIVERS) as (keyof typeof DERIVERS)[];

/** The events of one item change (none for items that carry no facts, such as quotes). */
export function eventsFromChange(change: ItemChange): DomainEvent[] {
  if (!change.key.pk.startsWith('ACCT#')) return [];
  const prefix = EVENT_SOURCE_PREFIXES.find((p) => change.key.sk.startsWith(p));
  return prefix ? DERIVERS[prefix](change) : [];
}
