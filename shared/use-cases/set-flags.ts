import type { InstanceStore } from '#ports/stores.ts';
import type { Flags } from '#shared/domain.ts';
import { notFound } from '#shared/errors.ts';
import type { InstanceRecord } from '#shared/model.ts';

const ATTEMPTS = 5;

/**
 * Sets any of an instance's abnormal-state flags. A real change bumps the instance version,
 * which makes every open quote of it stale (SPEC 3.1).
 */
export async function setFlags(
  deps: { instances: InstanceStore },
  input: { accountId: string; instanceId: string; flags: Partial<Flags> },
): Promise<InstanceRecord> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.instances.get(input.accountId, input.instanceId);
    if (!current) throw notFound('Instance');
    const flags = { ...current.flags, ...input.flags };
    const changed = (Object.keys(flags) as (keyof Flags)[]).some(
      (name) => flags[name] !== current.flags[name],
    );
    if (!changed) return current;
    const next = { ...current, flags };
    if (await deps.instances.replace(next, current.version)) return { ...next, version: current.version + 1 };
    if (attempt >= ATTEMPTS) throw new Error('flag update kept racing with concurrent changes');
  }
}
