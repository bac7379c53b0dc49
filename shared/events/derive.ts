/**
 * Domain events derived from item transitions of the table's stream (NEW_AND_OLD_IMAGES): the
 * facts are committed by the same transactions that change the items, so publishing what the
 * stream shows is a transactional outbox. Pure: one stream record in, its events out. Ids are
 * deterministic (a digest of the type, the item key and the transition), so a redelivered
 * record yields the same ids and consumers de-duplicate by id. No personal data: no reason
 * text, no payment references.
 *
 * Not yet wired: the stream, the publisher function and the bus are still to do (README).
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
  | 'RefundLineSettled'
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
  if (after.status === 'RELEASED' && was !== 'RELEASED')
    events.push(event(change, 'InstanceReleased', version, change.at, { instanceId }));
  return events;
}

interface LineImage {
  orderId: string;
  status: string;
  refundAmount: number;
  destination: string;
  settledTo?: string | null;
  settledAt?: number | null;
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
  const oldLines = new Map(((before?.lines ?? []) as LineImage[]).map((line) => [line.orderId, line]));
  for (const line of (after.lines ?? []) as LineImage[]) {
    if (line.status !== 'SETTLED' || oldLines.get(line.orderId)?.status === 'SETTLED') continue;
    events.push(
      event(change, 'RefundLineSettled', line.orderId, num(line.settledAt, change.at), {
        ...base,
        orderId: line.orderId,
        currency: String(after.currency),
        refundAmount: line.refundAmount,
        destination: line.settledTo ?? line.destination,
      }),
    );
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
    const attempt = ((after.history ?? []) as unknown[]).length;
    events.push(event(change, 'UnsubscribeOrderNeedsAttention', String(attempt), change.at, base));
  }
  if (after.slaBreached === true && before?.slaBreached !== true)
    events.push(
      event(change, 'SlaBreached', 'breached', change.at, { ...base, dueBy: iso(Number(after.dueBy)) }),
    );
  return events;
}

/** The events of one item change (none for items that carry no facts, such as quotes). */
export function eventsFromChange(change: ItemChange): DomainEvent[] {
  if (change.key.sk.startsWith('INST#')) return instanceEvents(change);
  if (change.key.sk.startsWith('UORDER#')) return unsubscribeOrderEvents(change);
  return [];
}
