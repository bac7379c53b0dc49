/**
 * Domain events derived from item transitions of the table's stream (NEW_AND_OLD_IMAGES): the
 * facts are committed by the same transactions that change the items, so publishing what the
 * stream shows is a transactional outbox. Pure: one stream record in, its events out. Ids are
 * deterministic (a digest of the type, the item key and the transition), so a redelivered
 * record yields the same ids and consumers de-duplicate by id. No personal data: no reason
 * text, no payment references.
 *
 * Every event is stamped with the fact's own time, recorded on the item by the write that made
 * the fact (`unsubscribedAt`, `restoredAt`, `purgedAt`, `createdAt`, `submittedAt`, `settledAt`,
 * a history entry's `at`), never with the stream record's time (DynamoDB Local truncates that to
 * the minute, AWS to the second): an item without the time of its fact is a bug, and deriving
 * it throws. Instance events also carry the instance's `version` after the change
 * (`data.instanceVersion`), which orders them exactly even when two facts share a millisecond.
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
}

export type DomainEventType =
  | 'InstanceUnsubscribed'
  | 'InstanceRestored'
  | 'InstanceReleased'
  | 'RetentionDataPurged'
  | 'RenewalCancelled'
  | 'UnsubscribeOrderAccepted'
  | 'RefundLineSubmitted'
  | 'RefundLineSettled'
  | 'RefundLineReversed'
  | 'AccountBalanceCredited'
  | 'UnsubscribeOrderSucceeded'
  | 'UnsubscribeOrderNeedsAttention'
  | 'SlaBreached'
  | 'AccountBalanceAdjusted'
  | 'OperatorActionAudited';

/**
 * The version each type is published in (`docs/events/<Type>.v<N>.schema.json`). A change of a
 * type's fields is a new version; earlier versions keep their schemas (the bus archive holds
 * events in them). v2 of the instance events adds `data.instanceVersion`.
 */
export const EVENT_VERSIONS = {
  InstanceUnsubscribed: 2,
  InstanceRestored: 2,
  InstanceReleased: 2,
  RetentionDataPurged: 2,
  RenewalCancelled: 1,
  UnsubscribeOrderAccepted: 1,
  RefundLineSubmitted: 1,
  RefundLineSettled: 1,
  RefundLineReversed: 1,
  AccountBalanceCredited: 2,
  UnsubscribeOrderSucceeded: 1,
  UnsubscribeOrderNeedsAttention: 1,
  SlaBreached: 1,
  AccountBalanceAdjusted: 1,
  OperatorActionAudited: 1,
} as const satisfies Record<DomainEventType, number>;

export interface DomainEvent {
  id: string;
  type: DomainEventType;
  version: number;
  accountId: string;
  occurredAt: string;
  data: Record<string, string | number>;
}

const accountOf = (pk: string) => pk.replace(/^ACCT#/, '');
const iso = (ms: Millis) => new Date(ms).toISOString();

/** The time of a fact as the item records it; its absence is a bug (the publisher stops there). */
function factTime(value: unknown, type: DomainEventType, field: string): Millis {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new Error(`${type}: the item does not record ${field}, the time of the fact`);
}

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
  return {
    id,
    type,
    version: EVENT_VERSIONS[type],
    accountId: accountOf(change.key.pk),
    occurredAt: iso(occurredAt),
    data,
  };
}

function instanceEvents(change: ItemChange): DomainEvent[] {
  const before = change.oldImage;
  const after = change.newImage;
  if (!after) return [];
  const instanceId = String(after.instanceId);
  const instanceVersion = Number(after.version);
  if (!Number.isSafeInteger(instanceVersion)) throw new Error('an instance item has a version');
  const version = String(instanceVersion);
  const instanceData = { instanceId, instanceVersion };
  const events: DomainEvent[] = [];
  const was = before?.status;
  if (was === 'ACTIVE' && after.status === 'UNSUBSCRIBED') {
    const at = factTime(after.unsubscribedAt, 'InstanceUnsubscribed', 'unsubscribedAt');
    events.push(event(change, 'InstanceUnsubscribed', version, at, instanceData));
  }
  if (was === 'UNSUBSCRIBED' && after.status === 'ACTIVE') {
    const at = factTime(after.restoredAt, 'InstanceRestored', 'restoredAt');
    events.push(event(change, 'InstanceRestored', version, at, instanceData));
  }
  const retention = (image: Item | null | undefined) =>
    (image?.retention ?? null) as Record<string, { status: string; purgedAt?: number | null }> | null;
  for (const [field, kind] of [
    ['configData', 'CONFIG'],
    ['logData', 'LOG'],
  ] as const) {
    const old = retention(before)?.[field];
    const now = retention(after)?.[field];
    if (now?.status === 'PURGED' && old?.status !== 'PURGED') {
      const at = factTime(now.purgedAt, 'RetentionDataPurged', `retention.${field}.purgedAt`);
      events.push(event(change, 'RetentionDataPurged', `${version}#${kind}`, at, { ...instanceData, kind }));
    }
  }
  if (after.status === 'RELEASED' && was !== 'RELEASED') {
    // Released by the purge of its last kind: that purge's time.
    const kept = retention(after);
    const releasedAt = Math.max(
      factTime(kept?.configData?.purgedAt, 'InstanceReleased', 'retention.configData.purgedAt'),
      factTime(kept?.logData?.purgedAt, 'InstanceReleased', 'retention.logData.purgedAt'),
    );
    events.push(event(change, 'InstanceReleased', version, releasedAt, instanceData));
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
  // Every accepted order, of either kind: what paperwork (credit notes, emails, the journal) starts from.
  if (!before)
    events.push(
      event(
        change,
        'UnsubscribeOrderAccepted',
        'created',
        factTime(after.createdAt, 'UnsubscribeOrderAccepted', 'createdAt'),
        {
          ...base,
          kind: String(after.type),
          refundType: String(after.refundType),
          currency: String(after.currency),
          refundAmount: Number(after.refundAmount),
          dueBy: iso(factTime(after.dueBy, 'UnsubscribeOrderAccepted', 'dueBy')),
        },
      ),
    );
  if (!before && after.type === 'CANCEL_RENEWAL')
    events.push(
      event(
        change,
        'RenewalCancelled',
        'created',
        factTime(after.createdAt, 'RenewalCancelled', 'createdAt'),
        {
          ...base,
          currency: String(after.currency),
          refundAmount: Number(after.refundAmount),
        },
      ),
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
          factTime(line.submittedAt, 'RefundLineSubmitted', 'lines[].submittedAt'),
          lineData,
        ),
      );
    if (line.status === 'SETTLED' && old?.status !== 'SETTLED')
      events.push(
        event(
          change,
          'RefundLineSettled',
          line.orderId,
          factTime(line.settledAt, 'RefundLineSettled', 'lines[].settledAt'),
          {
            ...lineData,
            destination: line.settledTo ?? line.destination,
          },
        ),
      );
    // Settled to the card, then failed there (Stripe): moved to the balance.
    if (
      old?.status === 'SETTLED' &&
      old.settledTo === 'ORIGINAL_PAYMENT_METHOD' &&
      line.settledTo === 'ACCOUNT_BALANCE'
    ) {
      const note = history.findLast((h) => h.note === 'REFUND_REVERSED' && h.orderId === line.orderId);
      events.push(
        event(
          change,
          'RefundLineReversed',
          `${line.orderId}#REVERSED`,
          factTime(note?.at, 'RefundLineReversed', 'history[REFUND_REVERSED].at'),
          {
            ...lineData,
            destination: 'ACCOUNT_BALANCE',
          },
        ),
      );
    }
  }
  if (after.status !== before?.status && after.status === 'SUCCEEDED')
    events.push(
      event(
        change,
        'UnsubscribeOrderSucceeded',
        'SUCCEEDED',
        factTime(after.settledAt, 'UnsubscribeOrderSucceeded', 'settledAt'),
        {
          ...base,
          currency: String(after.currency),
          refundAmount: Number(after.refundAmount),
        },
      ),
    );
  if (after.status !== before?.status && after.status === 'NEEDS_ATTENTION') {
    const attempt = history.length;
    const at = history.findLast((h) => h.status === 'NEEDS_ATTENTION')?.at;
    events.push(
      event(
        change,
        'UnsubscribeOrderNeedsAttention',
        String(attempt),
        factTime(at, 'UnsubscribeOrderNeedsAttention', 'history[NEEDS_ATTENTION].at'),
        base,
      ),
    );
  }
  if (after.slaBreached === true && before?.slaBreached !== true)
    events.push(
      // Found when the order settles after its dueBy.
      event(change, 'SlaBreached', 'breached', factTime(after.settledAt, 'SlaBreached', 'settledAt'), {
        ...base,
        dueBy: iso(Number(after.dueBy)),
      }),
    );
  return events;
}

/**
 * A balance credit: the ledger entry's insert (entries are immutable, put once per line); an
 * operator's balance adjustment (no line) is `AccountBalanceAdjusted`, a debit or a credit.
 */
function ledgerEvents(change: ItemChange): DomainEvent[] {
  const entry = change.newImage;
  if (change.oldImage || !entry) return [];
  if (entry.cause === 'GOODWILL_CREDIT' || entry.cause === 'CORRECTING_DEBIT')
    return [
      event(
        change,
        'AccountBalanceAdjusted',
        'created',
        factTime(entry.createdAt, 'AccountBalanceAdjusted', 'createdAt'),
        {
          entryId: String(entry.entryId),
          currency: String(entry.currency),
          amount: Number(entry.amount),
          cause: String(entry.cause),
        },
      ),
    ];
  return [
    event(
      change,
      'AccountBalanceCredited',
      'created',
      factTime(entry.createdAt, 'AccountBalanceCredited', 'createdAt'),
      {
        unsubscribeOrderId: String(entry.unsubscribeOrderId),
        orderId: String(entry.orderId),
        currency: String(entry.currency),
        amount: Number(entry.amount),
        cause: String(entry.cause),
      },
    ),
  ];
}

/**
 * An operator's audit record (put once, never changed): what was done to which target, by
 * whom, why (the reason code). The note and the before/after pictures stay in the record.
 */
function auditEvents(change: ItemChange): DomainEvent[] {
  const record = change.newImage;
  if (change.oldImage || !record) return [];
  const target = (record.target ?? {}) as Record<string, unknown>;
  const data: DomainEvent['data'] = {
    auditId: String(record.auditId),
    action: String(record.action),
    actor: String(record.actor),
    targetType: String(target.type),
    reasonCode: String(record.reasonCode),
  };
  for (const [name, value] of [
    ['unsubscribeOrderId', target.unsubscribeOrderId],
    ['orderId', target.orderId],
    ['approvalId', record.approvalId],
    ['currency', record.currency],
  ] as const)
    if (typeof value === 'string') data[name] = value;
  if (typeof record.amount === 'number') data.amount = record.amount;
  return [
    event(
      change,
      'OperatorActionAudited',
      'created',
      factTime(record.at, 'OperatorActionAudited', 'at'),
      data,
    ),
  ];
}

const DERIVERS = {
  'INST#': instanceEvents,
  'UORDER#': unsubscribeOrderEvents,
  'LEDGER#': ledgerEvents,
  'AUDIT#': auditEvents,
} as const satisfies Record<string, (change: ItemChange) => DomainEvent[]>;

/** The sort-key prefixes of the items that carry events (the stack filters the stream by them). */
export const EVENT_SOURCE_PREFIXES = Object.keys(DERIVERS) as (keyof typeof DERIVERS)[];

/** The events of one item change (none for items that carry no facts, such as quotes). */
export function eventsFromChange(change: ItemChange): DomainEvent[] {
  if (!change.key.pk.startsWith('ACCT#')) return [];
  const prefix = EVENT_SOURCE_PREFIXES.find((p) => change.key.sk.startsWith(p));
  return prefix ? DERIVERS[prefix](change) : [];
}
