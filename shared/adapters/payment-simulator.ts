/**
 * The default payment provider (SPEC 3.4): an in-memory simulator, also used by the tests.
 *
 * - a method whose reference starts with `closed-` is refused definitively (`METHOD_CLOSED`);
 * - one starting with `flaky-` fails transiently (throws `TransientProviderError`) on the first
 *   `flakyFailures` (default 2) calls with a given idempotency key, then succeeds;
 * - anything else succeeds.
 *
 * Idempotency keys are honoured like a real provider: the first definitive outcome for a key
 * is remembered and replayed, so a repeated call never refunds twice; the same key with a
 * different amount, currency or method is rejected. State lives in the process (one
 * simulator per Lambda container); `refundsMade()` tells tests how many refunds really
 * happened.
 */

import { randomUUID } from 'node:crypto';
import {
  type PaymentProvider,
  type ProviderRefundRequest,
  type ProviderRefundResult,
  TransientProviderError,
} from '#ports/payment-provider.ts';
import type { MinorUnits } from '#shared/domain.ts';

export interface SimulatedRefund {
  idempotencyKey: string;
  accountId: string;
  unsubscribeOrderId: string;
  orderId: string;
  amount: MinorUnits;
  currency: string;
  providerRefundId: string;
}

export interface PaymentSimulatorOptions {
  /** Transient failures per idempotency key before a `flaky-` method succeeds (SPEC: 2). */
  flakyFailures?: number;
  /** Artificial latency per call, for benchmarks. */
  latencyMs?: number;
}

/** The same idempotency key was sent with a different request: a caller bug, never retried into success. */
export class IdempotencyMismatchError extends Error {
  constructor(idempotencyKey: string) {
    super(`Idempotency key ${idempotencyKey} was reused for a different refund`);
    this.name = 'IdempotencyMismatchError';
  }
}

interface Remembered {
  fingerprint: string;
  result: ProviderRefundResult;
}

export class PaymentSimulator implements PaymentProvider {
  readonly #flakyFailures: number;
  readonly #latencyMs: number;
  readonly #outcomes = new Map<string, Remembered>();
  readonly #transientFailures = new Map<string, number>();
  readonly #refunds: SimulatedRefund[] = [];
  #calls = 0;
  readonly #instance = randomUUID().slice(0, 8);

  constructor(options: PaymentSimulatorOptions = {}) {
    this.#flakyFailures = options.flakyFailures ?? 2;
    this.#latencyMs = options.latencyMs ?? 0;
  }

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundResult> {
    this.#calls += 1;
    if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    const key = request.idempotencyKey;
    const fingerprint = JSON.stringify([
      request.amount,
      request.currency,
      request.paymentMethod.type,
      request.paymentMethod.reference,
    ]);
    const remembered = this.#outcomes.get(key);
    if (remembered) {
      if (remembered.fingerprint !== fingerprint) throw new IdempotencyMismatchError(key);
      return remembered.result;
    }
    const reference = request.paymentMethod.reference;
    let result: ProviderRefundResult;
    if (reference.startsWith('closed-')) {
      result = { outcome: 'REFUSED', reason: 'METHOD_CLOSED' };
    } else {
      if (reference.startsWith('flaky-')) {
        const failed = this.#transientFailures.get(key) ?? 0;
        if (failed < this.#flakyFailures) {
          this.#transientFailures.set(key, failed + 1);
          throw new TransientProviderError('Simulated provider timeout');
        }
      }
      // Unique across simulators (containers): the id keys the refund's lookup item in the table.
      const providerRefundId = `sim-${this.#instance}-${this.#refunds.length + 1}`;
      this.#refunds.push({
        idempotencyKey: key,
        accountId: request.accountId,
        unsubscribeOrderId: request.unsubscribeOrderId,
        orderId: request.orderId,
        amount: request.amount,
        currency: request.currency,
        providerRefundId,
      });
      result = { outcome: 'SUCCEEDED', providerRefundId };
    }
    this.#outcomes.set(key, { fingerprint, result });
    return result;
  }

  /** How many refunds actually moved money (replays of a key are not counted). */
  refundsMade(filter: { unsubscribeOrderId?: string } = {}): number {
    return this.refunds(filter).length;
  }

  /** The refunds that moved money, in the order they were made. */
  refunds(filter: { unsubscribeOrderId?: string } = {}): readonly SimulatedRefund[] {
    return this.#refunds.filter(
      (r) => filter.unsubscribeOrderId === undefined || r.unsubscribeOrderId === filter.unsubscribeOrderId,
    );
  }

  /** Every call, including replays and transient failures. */
  get calls(): number {
    return this.#calls;
  }
}
