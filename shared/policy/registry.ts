/**
 * Every released refund policy, checked when this module loads: a bad policy file fails the
 * import (the function's cold start, `npm start`, `cdk synth`) naming the file and the field.
 *
 * A policy applies by the instance's `product`: the product's own policy if it has one, else
 * the `*` policy. Among the versions of that policy, the latest whose `effectiveFrom` is not
 * after `now` applies. A quote records which one it used, and its unsubscribe order keeps it,
 * so a new version never changes a quote or an order made under an earlier one.
 */

import type { Millis } from '#shared/domain.ts';
import securityCenterInternationalV1 from '../../policies/security-center/international/v1.json' with {
  type: 'json',
};
import { type Policy, PolicyError, type PolicyRef, parsePolicy } from './document.ts';

/** The released policy files, by path from the repository root. Add a new version here. */
export const POLICY_FILES: Readonly<Record<string, unknown>> = {
  'policies/security-center/international/v1.json': securityCenterInternationalV1,
};

export class PolicyRegistry {
  readonly #byRef = new Map<string, Policy>();
  /** Per product (or `*`): its policy's versions, latest effective first. */
  readonly #byProduct = new Map<string, Policy[]>();

  constructor(files: Readonly<Record<string, unknown>>) {
    const productOfId = new Map<string, string>();
    for (const [path, raw] of Object.entries(files)) {
      const policy = parsePolicy(raw, path);
      const expected = `policies/${policy.id}/v${policy.version}.json`;
      if (!path.endsWith(expected))
        throw new PolicyError(path, 'id', `and version must match the file name (${expected})`);
      const key = refKey(policy);
      if (this.#byRef.has(key)) throw new PolicyError(path, 'version', `${policy.version} is released twice`);
      const product = productOfId.get(policy.id);
      if (product !== undefined && product !== policy.product)
        throw new PolicyError(path, 'product', `must stay "${product}" in every version of ${policy.id}`);
      productOfId.set(policy.id, policy.product);
      this.#byRef.set(key, policy);
      const list = this.#byProduct.get(policy.product) ?? [];
      if (list.some((other) => other.id !== policy.id))
        throw new PolicyError(path, 'product', `"${policy.product}" already has a policy of its own`);
      list.push(policy);
      this.#byProduct.set(policy.product, list);
    }
    for (const [product, list] of this.#byProduct) {
      list.sort((a, b) => b.version - a.version);
      list.forEach((policy, i) => {
        const older = list[i + 1];
        if (older && older.version !== policy.version - 1)
          throw new PolicyError(`policies/${policy.id}`, 'version', `${older.version + 1} is missing`);
        if (older && older.effectiveFromMs > policy.effectiveFromMs)
          throw new PolicyError(
            `policies/${policy.id}/v${policy.version}.json`,
            'effectiveFrom',
            `must not be before version ${older.version}'s`,
          );
      });
      if (list.at(-1)?.version !== 1)
        throw new PolicyError(`policies/${list[0]?.id}`, 'version', `1 is missing (product ${product})`);
    }
    if (!this.#byProduct.has('*'))
      throw new PolicyError('policies/', 'product', '"*" (the default policy) is missing');
  }

  /** The policy that applies to `product` at `now`. */
  forProduct(product: string, now: Millis): Policy {
    const list = this.#byProduct.get(product) ?? (this.#byProduct.get('*') as Policy[]);
    const effective = list.find((policy) => policy.effectiveFromMs <= now);
    // Before the first version's effectiveFrom, the first version applies: there is no earlier rule.
    return effective ?? (list.at(-1) as Policy);
  }

  /** A released version, or undefined when this registry does not hold it. */
  get(ref: PolicyRef): Policy | undefined {
    return this.#byRef.get(refKey(ref));
  }

  all(): Policy[] {
    return [...this.#byRef.values()];
  }
}

const refKey = (ref: PolicyRef): string => `${ref.id}@${ref.version}`;

/** The repository's policies (checked at import). */
export const POLICIES = new PolicyRegistry(POLICY_FILES);

/** The seed's rules: `security-center/international` version 1. */
export const DEFAULT_POLICY: Policy = POLICIES.get({
  id: 'security-center/international',
  version: 1,
}) as Policy;
