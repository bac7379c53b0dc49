/**
 * What every operator action shares: who acts, the Idempotency-Key (scoped to the person),
 * the justification, and turning a refused commit into a clear 409.
 */
import type { FourEyesThresholds } from '#policy/four-eyes.ts';
import type { LedgerReader } from '#ports/ledger.ts';
import type { OpsReader, OpsWrite, OpsWriter } from '#ports/ops.ts';
import type { RefundQueue } from '#ports/refund-queue.ts';
import type { IdempotencyStore, InstanceStore } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import type { OperatorReasonCode } from '#shared/ops-model.ts';
import { fingerprint } from '#use-cases/fingerprint.ts';
import { runIdempotent } from '#use-cases/idempotent.ts';

export interface OpsDeps {
  reader: OpsReader;
  writer: OpsWriter;
  /** Operators' Idempotency-Keys (per person). */
  idempotency: IdempotencyStore;
  queue: RefundQueue;
  ledger: LedgerReader;
  instances: InstanceStore;
  thresholds: FourEyesThresholds;
  approvalTtlMs: Millis;
  /** New time-sortable ids (`au-…` audit records, `ap-…` approvals, `adj-…` adjustments). */
  newId: (prefix: 'au' | 'ap' | 'adj', at: Millis) => string;
  onEnqueueFailure: (error: unknown) => void;
}

export interface Operator {
  /** The token's `sub`: a person. */
  id: string;
  approver: boolean;
}

export interface ActionContext {
  operator: Operator;
  idempotencyKey: string;
  /** The API request's id, kept in the audit record. */
  requestId: string;
  now: Millis;
}

export interface Justification {
  reasonCode: OperatorReasonCode;
  note: string;
}

/** The action's answer body, and the write that stores it under the Idempotency-Key. */
export type Complete = (body: string) => OpsWrite;

/**
 * Runs `execute` at most once per operator and Idempotency-Key: a retry or a double click
 * with the same key replays the stored answer; `execute` must commit the write `complete`
 * gives it in its own transaction (the answer is kept if and only if the change committed).
 */
export async function operatorAction(
  deps: Pick<OpsDeps, 'idempotency'>,
  context: ActionContext,
  what: unknown[],
  execute: (complete: Complete) => Promise<string>,
): Promise<string> {
  const actor = context.operator.id;
  const stored = await runIdempotent(
    deps.idempotency,
    {
      accountId: actor,
      key: context.idempotencyKey,
      fingerprint: fingerprint('ops', ...what),
      now: context.now,
    },
    async () => ({
      body: await execute((body) => ({
        type: 'IDEMPOTENCY_COMPLETE',
        actor,
        key: context.idempotencyKey,
        body,
      })),
    }),
  );
  return stored.body;
}

export const stateChanged = (message: string, details: Record<string, unknown> = {}) =>
  new RefundError('STATE_CHANGED', message, details);

/** A commit refused because the Idempotency-Key's record moved (it lapsed and another run took it). */
export const idempotencyLost = () =>
  new RefundError(
    'IDEMPOTENCY_IN_PROGRESS',
    'A request with this Idempotency-Key is still running; retry later',
  );
