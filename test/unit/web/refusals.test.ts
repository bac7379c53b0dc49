import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '#shared/errors.ts';
import { ApiError, NetworkError } from '../../../web/src/api.ts';
import { refusalOf } from '../../../web/src/refusals.ts';

describe('console refusals', () => {
  it('words every error code of the API, with a next step', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const refusal = refusalOf(new ApiError(status, code, 'the raw message', {}));
      expect({ code, worded: refusal.title !== 'the raw message' && refusal.next.join('') !== '' }).toEqual({
        code,
        worded: true,
      });
    }
  });

  it('recognises the page’s own refusal, a plain {code} object (the quote ran out)', () => {
    expect(refusalOf({ code: 'QUOTE_EXPIRED' })).toMatchObject({
      code: 'QUOTE_EXPIRED',
      title: 'The refund quote has expired.',
      action: 'requote',
    });
    expect(refusalOf({ code: 'NOT_A_CODE' }).code).toBe('INTERNAL');
    expect(refusalOf(new Error('boom')).code).toBe('INTERNAL');
  });

  it('turns abnormal states into reasons and a next step for each', () => {
    const refusal = refusalOf(
      new ApiError(409, 'RESOURCE_INFO_UNAVAILABLE', 'Failed to obtain unsubscription resource information', {
        reasons: ['OVERDUE_PAYMENT', 'CONFIGURATION_CHANGE_IN_PROGRESS'],
      }),
    );
    expect(refusal.reasons).toEqual([
      'A payment for this instance is overdue.',
      'An upgrade or downgrade of the instance is in progress.',
    ]);
    expect(refusal.next).toEqual([
      'Pay the overdue bill, then come back to unsubscribe.',
      'Wait for the upgrade or downgrade to finish, then try again.',
    ]);
  });

  it('offers a retry after a network error, and the list after NOT_FOUND', () => {
    expect(refusalOf(new NetworkError('offline')).action).toBe('retry');
    expect(refusalOf(new ApiError(404, 'NOT_FOUND', 'Instance not found', {})).action).toBe('list');
  });
});
