/**
 * Four-eyes: which manual money movements need a second person. Pure: thresholds in, a
 * decision out. A threshold is per currency in minor units; an amount strictly above it needs
 * an approver's approval. A currency without a threshold (and no `*` default) always needs one,
 * so a new currency is never waved through by accident.
 */
import type { MinorUnits } from '#shared/domain.ts';

export type FourEyesThresholds = ReadonlyMap<string, MinorUnits>;

export function needsApproval(amount: MinorUnits, currency: string, thresholds: FourEyesThresholds): boolean {
  const limit = thresholds.get(currency) ?? thresholds.get('*');
  return limit === undefined || amount > limit;
}

/**
 * `USD:10000,EUR:10000,*:0` → thresholds; blanks ignored. Returns the first malformed part
 * instead when there is one.
 */
export function parseThresholds(text: string): { thresholds: FourEyesThresholds } | { wrong: string } {
  const thresholds = new Map<string, MinorUnits>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Z]{3}|\*):(\d{1,15})$/.exec(part);
    if (!match?.[1] || match[2] === undefined) return { wrong: part };
    thresholds.set(match[1], Number(match[2]));
  }
  return { thresholds };
}
