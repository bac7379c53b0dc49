/**
 * `GET /instances` (SPEC 4.2): a page of the caller's instances, each with until when a full
 * refund is available.
 *
 * Steps: read the page → for the instances whose full-refund window is open at `now`, read the
 * year's quota once per product (outside the window it cannot matter: no read) → ask the
 * policy that applies to each instance's product now, with the same code as a quote
 * (`fullRefundUntil`), so the list never promises what a quote would refuse.
 */
import {
  fullRefundUntil,
  inFullRefundWindow,
  POLICIES,
  type PolicyRegistry,
  quotaYear,
} from '#policy/index.ts';
import type { InstanceQuery, InstanceStore, Page, QuotaStore } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import type { InstanceRecord } from '#shared/model.ts';

export interface ListInstancesDeps {
  instances: InstanceStore;
  quota: QuotaStore;
  /** The released policies (the repository's unless a test brings its own). */
  policies?: PolicyRegistry;
}

export interface ListedInstance {
  instance: InstanceRecord;
  /** The end of the full-refund window while a quote now would be a full refund; else null. */
  fullRefundUntil: Millis | null;
}

export async function listInstances(
  deps: ListInstancesDeps,
  accountId: string,
  query: InstanceQuery,
  now: Millis,
): Promise<Page<ListedInstance>> {
  const page = await deps.instances.list(accountId, query);
  const registry = deps.policies ?? POLICIES;
  const policyOf = (instance: InstanceRecord) => registry.forProduct(instance.product, now);
  const quotaUsed = new Map<string, Promise<boolean>>();
  const usedFor = (instance: InstanceRecord): Promise<boolean> => {
    const policy = policyOf(instance);
    const year = quotaYear(now, policy.billingOffsetMs);
    const key = `${instance.product}\n${year}`;
    let used = quotaUsed.get(key);
    if (!used) {
      used = deps.quota.usage(accountId, instance.product, year).then((use) => use !== null);
      quotaUsed.set(key, used);
    }
    return used;
  };
  const items = await Promise.all(
    page.items.map(async (instance): Promise<ListedInstance> => {
      const policy = policyOf(instance);
      const open =
        instance.status === 'ACTIVE' &&
        policy.fullRefund.perAccountProductYear > 0 &&
        inFullRefundWindow(instance, now, policy);
      if (!open) return { instance, fullRefundUntil: null };
      const until = fullRefundUntil(instance, { now, quotaUsed: await usedFor(instance), policy });
      return { instance, fullRefundUntil: until };
    }),
  );
  return { items, cursor: page.cursor };
}
