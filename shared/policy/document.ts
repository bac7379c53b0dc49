/**
 * A refund policy as data: every constant of the refund rules is a field of a policy
 * document (`policies/<id>/v<version>.json`), checked here field by field. A document that
 * does not pass names the first field that is wrong, so a bad policy stops `cdk synth`,
 * `npm start` and every function's cold start with a message a person can act on.
 *
 * Plain checks, no schema library: this runs at every cold start.
 */
import type { Millis } from '#shared/domain.ts';

/** The rules as written in a policy file (durations in the units people use). */
export interface PolicyDocument {
  /** `<product-line>/<market>`, e.g. `security-center/international`. */
  id: string;
  /** 1, 2, … A released version never changes; a change is a new version. */
  version: number;
  /** The product it applies to, or `*` for every product that has no policy of its own. */
  product: string;
  /** Quotes made at or after this instant use this version (the latest effective one wins). */
  effectiveFrom: string;
  description: string;
  billingTimeZone: { utcOffsetMinutes: number };
  fullRefund: { windowHours: number; perAccountProductYear: 0 | 1 };
  proration: { dayCounting: 'STARTED_DAY_COUNTS_WHOLE'; rounding: 'DOWN_TO_MINOR_UNIT' };
  vouchersRefundable: false;
  destinations: { cardRefundWindowDays: number; paypalRefundWindowDays: number };
  retention: { configurationDataHours: number; logData: 'NEXT_BILLING_MIDNIGHT' };
  settlement: { businessDays: number };
  quoteValidityMinutes: number;
}

/** A checked policy with every duration also in milliseconds, as the rules use them. */
export interface Policy extends PolicyDocument {
  effectiveFromMs: Millis;
  billingOffsetMs: number;
  fullRefundWindowMs: number;
  cardRefundWindowMs: number;
  paypalRefundWindowMs: number;
  configRetentionMs: number;
  quoteTtlMs: number;
}

/** Which policy produced a number: recorded with every quote and unsubscribe order. */
export interface PolicyRef {
  id: string;
  version: number;
}

export class PolicyError extends Error {
  readonly field: string;
  constructor(source: string, field: string, message: string) {
    super(`Invalid refund policy ${source}: ${field} ${message}`);
    this.name = 'PolicyError';
    this.field = field;
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PRODUCT = /^(?:\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  fail(field: string, message: string): never {
    throw new PolicyError(this.source, field, message);
  }

  object(raw: Raw, field: string, keys: readonly string[]): Raw {
    const value = raw[field.slice(field.lastIndexOf('.') + 1)];
    if (!isObject(value)) this.fail(field, 'must be an object');
    this.onlyKeys(value, field, keys);
    return value;
  }

  onlyKeys(value: Raw, prefix: string, keys: readonly string[]): void {
    for (const key of Object.keys(value))
      if (!keys.includes(key)) this.fail(prefix ? `${prefix}.${key}` : key, 'is not a policy field');
    for (const key of keys) if (!(key in value)) this.fail(prefix ? `${prefix}.${key}` : key, 'is required');
  }

  int(raw: Raw, field: string, min: number, max: number): number {
    const value = raw[field.slice(field.lastIndexOf('.') + 1)];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
      this.fail(field, `must be an integer from ${min} to ${max}`);
    return value;
  }

  string(raw: Raw, field: string, pattern: RegExp, hint: string): string {
    const value = raw[field.slice(field.lastIndexOf('.') + 1)];
    if (typeof value !== 'string' || !pattern.test(value)) this.fail(field, `must be ${hint}`);
    return value;
  }

  literal<T extends string | boolean | number>(raw: Raw, field: string, allowed: readonly T[]): T {
    const value = raw[field.slice(field.lastIndexOf('.') + 1)];
    if (!allowed.includes(value as T))
      this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return value as T;
  }
}

const TOP_KEYS = [
  'id',
  'version',
  'product',
  'effectiveFrom',
  'description',
  'billingTimeZone',
  'fullRefund',
  'proration',
  'vouchersRefundable',
  'destinations',
  'retention',
  'settlement',
  'quoteValidityMinutes',
] as const;

/** Checks a parsed policy file; `source` names it in the error (its path). */
export function parsePolicy(raw: unknown, source: string): Policy {
  const r: Reader = new Reader(source);
  if (!isObject(raw)) throw new PolicyError(source, '(document)', 'must be a JSON object');
  r.onlyKeys(raw, '', TOP_KEYS);
  const id = r.string(raw, 'id', ID, 'a lowercase `<product-line>/<market>` id');
  const version = r.int(raw, 'version', 1, 1_000_000);
  const product = r.string(raw, 'product', PRODUCT, 'a product code or "*"');
  const effectiveFrom = r.string(raw, 'effectiveFrom', INSTANT, 'an ISO-8601 UTC instant with milliseconds');
  const effectiveFromMs = Date.parse(effectiveFrom);
  if (Number.isNaN(effectiveFromMs) || new Date(effectiveFromMs).toISOString() !== effectiveFrom)
    r.fail('effectiveFrom', 'must be a real instant');
  if (typeof raw.description !== 'string' || raw.description.length === 0 || raw.description.length > 500)
    r.fail('description', 'must be a text of 1 to 500 characters');

  const zone = r.object(raw, 'billingTimeZone', ['utcOffsetMinutes']);
  // A fixed offset: the billing calendar never has daylight saving.
  const utcOffsetMinutes = r.int(zone, 'billingTimeZone.utcOffsetMinutes', -12 * 60, 14 * 60);
  const full = r.object(raw, 'fullRefund', ['windowHours', 'perAccountProductYear']);
  const windowHours = r.int(full, 'fullRefund.windowHours', 0, 366 * 24);
  // The quota store records one full refund per account, product and year.
  const perAccountProductYear = r.literal(full, 'fullRefund.perAccountProductYear', [0, 1] as const);
  const proration = r.object(raw, 'proration', ['dayCounting', 'rounding']);
  const dayCounting = r.literal(proration, 'proration.dayCounting', ['STARTED_DAY_COUNTS_WHOLE'] as const);
  const rounding = r.literal(proration, 'proration.rounding', ['DOWN_TO_MINOR_UNIT'] as const);
  const vouchersRefundable = r.literal(raw, 'vouchersRefundable', [false] as const);
  const destinations = r.object(raw, 'destinations', ['cardRefundWindowDays', 'paypalRefundWindowDays']);
  const cardRefundWindowDays = r.int(destinations, 'destinations.cardRefundWindowDays', 0, 3650);
  const paypalRefundWindowDays = r.int(destinations, 'destinations.paypalRefundWindowDays', 0, 3650);
  const retention = r.object(raw, 'retention', ['configurationDataHours', 'logData']);
  const configurationDataHours = r.int(retention, 'retention.configurationDataHours', 0, 3650 * 24);
  const logData = r.literal(retention, 'retention.logData', ['NEXT_BILLING_MIDNIGHT'] as const);
  const settlement = r.object(raw, 'settlement', ['businessDays']);
  const businessDays = r.int(settlement, 'settlement.businessDays', 1, 30);
  const quoteValidityMinutes = r.int(raw, 'quoteValidityMinutes', 1, 24 * 60);

  return {
    id,
    version,
    product,
    effectiveFrom,
    description: raw.description,
    billingTimeZone: { utcOffsetMinutes },
    fullRefund: { windowHours, perAccountProductYear },
    proration: { dayCounting, rounding },
    vouchersRefundable,
    destinations: { cardRefundWindowDays, paypalRefundWindowDays },
    retention: { configurationDataHours, logData },
    settlement: { businessDays },
    quoteValidityMinutes,
    effectiveFromMs,
    billingOffsetMs: utcOffsetMinutes * 60_000,
    fullRefundWindowMs: windowHours * HOUR_MS,
    cardRefundWindowMs: cardRefundWindowDays * DAY_MS,
    paypalRefundWindowMs: paypalRefundWindowDays * DAY_MS,
    configRetentionMs: configurationDataHours * HOUR_MS,
    quoteTtlMs: quoteValidityMinutes * 60_000,
  };
}

export const refOf = (policy: PolicyRef): PolicyRef => ({ id: policy.id, version: policy.version });
