import { describe, expect, it } from 'vitest';
import { waitBeforeRetry } from '#use-cases/issue-credit-note.ts';

describe('how long an issuance without the numbering lease waits', () => {
  it.each([
    [1, 0, 25],
    [1, 1, 50],
    [4, 0.5, 75],
    [20, 1, 525],
    [100, 1, 525],
  ])('attempt %i, jitter %f: %i ms', (attempt, random, expected) => {
    expect(waitBeforeRetry(attempt, random)).toBe(expected);
  });
});
