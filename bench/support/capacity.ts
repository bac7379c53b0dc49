/**
 * DynamoDB's documented rules for request units (Amazon DynamoDB Developer Guide: "Item sizes
 * and formats", "Read/write capacity mode", "Managing capacity for transactions", "Global
 * secondary indexes: provisioned throughput considerations"), applied to item images:
 *
 * - An item's size is the sum of its attribute names' UTF-8 bytes and its values' sizes:
 *   strings in UTF-8 bytes, binary in bytes, a number ⌈significant digits ÷ 2⌉ + 1 bytes, a
 *   boolean or null 1 byte, a list or map 3 bytes plus 1 byte per element plus the elements
 *   (a map's keys count as names), a set the sum of its elements.
 * - A write is 1 unit per KB (1,024 bytes, rounded up, at least 1) of the larger of the item
 *   before and after (a delete: the item deleted); in a transaction, 2 units per KB.
 * - A read is 1 unit per 4 KB (rounded up) consistent, half eventually consistent; in a
 *   transaction (or a condition check in one) 2 units per 4 KB. A Query reads the sum of the
 *   items it matched, rounded up to 4 KB once per call.
 * - An index write: an index entry (the projected attributes — every one, or only the table's
 *   and the index's keys — plus 100 bytes) put when the item gets the index's keys, deleted
 *   when it loses them, deleted and put when they change, written once when another projected
 *   attribute changes; 1 unit per KB each, not doubled in a transaction.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Significant digits of a DynamoDB number (leading and trailing zeros trimmed). */
function significantDigits(n: string): number {
  const digits = n.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '');
  const trimmed = digits.replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(1, trimmed.length);
}

export function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return Math.ceil(significantDigits(value.N) / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + utf8(s), 0);
  if (value.NS !== undefined)
    return value.NS.reduce((n, s) => n + Math.ceil(significantDigits(s) / 2) + 1, 0);
  if (value.BS !== undefined) return value.BS.reduce((n, b) => n + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + utf8(k) + valueBytes(v), 0);
  }
  return 0;
}

export function itemBytes(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueBytes(value), 0);
}

const KB = 1024;
export const writeUnits = (bytes: number, transactional = false): number =>
  Math.max(1, Math.ceil(bytes / KB)) * (transactional ? 2 : 1);
export const readUnits = (bytes: number, consistent: boolean, transactional = false): number => {
  const units = Math.max(1, Math.ceil(bytes / (4 * KB)));
  return transactional ? 2 * units : consistent ? units : units / 2;
};

/** Bytes of an index entry with every attribute projected. */
export const INDEX_ENTRY_OVERHEAD = 100;

export interface IndexKeys {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** What the index projects: every attribute (default) or only the keys. */
  projection?: 'ALL' | 'KEYS_ONLY';
}

/** Bytes of the attributes a keys-only index entry holds: the table's keys and the index's. */
function keysBytes(item: Item | undefined, index: IndexKeys): number {
  if (!item) return 0;
  return ['pk', 'sk', index.partitionKey, index.sortKey].reduce((n, name) => {
    const value = item[name];
    return value ? n + Buffer.byteLength(name, 'utf8') + valueBytes(value) : n;
  }, 0);
}

/** Canonical JSON (object keys sorted): equal images compare equal whatever their attribute order. */
function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sameItem = (a: Item | undefined, b: Item | undefined): boolean => canonical(a) === canonical(b);

const keyOf = (item: Item | undefined, index: IndexKeys): string | null => {
  const pk = item?.[index.partitionKey]?.S;
  const sk = item?.[index.sortKey]?.S;
  return pk !== undefined && sk !== undefined ? `${pk}\u0000${sk}` : null;
};

/** Index write units of one item going from `before` to `after` (undefined: absent), per index. */
export function indexWriteUnits(
  before: Item | undefined,
  after: Item | undefined,
  indexes: readonly IndexKeys[],
): Record<string, number> {
  const units: Record<string, number> = {};
  for (const index of indexes) {
    const keysOnly = index.projection === 'KEYS_ONLY';
    const bytes = (item: Item | undefined) => (keysOnly ? keysBytes(item, index) : itemBytes(item));
    const entry = (item: Item | undefined) => writeUnits(bytes(item) + INDEX_ENTRY_OVERHEAD);
    const was = keyOf(before, index);
    const is = keyOf(after, index);
    let n = 0;
    if (was === null && is !== null) n = entry(after);
    else if (was !== null && is === null) n = entry(before);
    else if (was !== null && is !== null && was !== is) n = entry(before) + entry(after);
    else if (was !== null && !keysOnly && !sameItem(before, after)) {
      // Another projected attribute changed (a keys-only entry has none to change).
      n = writeUnits(Math.max(bytes(before), bytes(after)) + INDEX_ENTRY_OVERHEAD);
    }
    if (n > 0) units[index.name] = n;
  }
  return units;
}
