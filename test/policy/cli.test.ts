/** The policy CLI as a process: real argv, stdin, stdout and exit codes. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePath } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pinnedNode = `${root}node_modules/.bin/node`;
/** Node 24 (pinned in devDependencies); vitest itself may run on it already. */
const nodeBin =
  Number(process.versions.node.split('.')[0]) >= 24 || !existsSync(pinnedNode)
    ? process.execPath
    : pinnedNode;

function policy(args: string[], stdinFixture?: string, stdin?: string) {
  const result = spawnSync(nodeBin, ['shared/policy/cli.ts', ...args], {
    cwd: root,
    input: stdinFixture === undefined ? (stdin ?? '') : readFileSync(fixturePath(stdinFixture)),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    json: () => JSON.parse(result.stdout),
  };
}

const line = (
  orderId: string,
  cashPaid: number,
  voucherPaid: number,
  usedDays: number,
  termDays: number,
  refundAmount: number,
  destination = 'ORIGINAL_PAYMENT_METHOD',
) => ({
  orderId,
  cashPaid,
  voucherPaid,
  usedDays,
  termDays,
  refundAmount,
  destination,
});

describe('policy CLI: SPEC 2.6 examples', () => {
  it.each([
    {
      example: '1 (full refund)',
      fixture: 'example-1-2-annual.json',
      args: ['--now', '2026-03-05T10:00:00.000Z', '--kind', 'UNSUBSCRIBE'],
      expected: {
        refundType: 'FULL_REFUND',
        currency: 'USD',
        refundAmount: 99900,
        nonRefundableVoucherAmount: 10000,
        lines: [line('o-new', 99900, 10000, 4, 365, 99900)],
        retention: {
          configDataPurgeAt: '2026-03-12T10:00:00.000Z',
          logDataPurgeAt: '2026-03-05T16:00:00.000Z',
        },
      },
    },
    {
      example: '2 (quota used → partial)',
      fixture: 'example-1-2-annual.json',
      args: ['--now', '2026-03-05T10:00:00.000Z', '--kind', 'UNSUBSCRIBE', '--quota-used'],
      expected: {
        refundType: 'PARTIAL_REFUND',
        currency: 'USD',
        refundAmount: 98805,
        nonRefundableVoucherAmount: 10000,
        lines: [line('o-new', 99900, 10000, 4, 365, 98805)],
        retention: {
          configDataPurgeAt: '2026-03-12T10:00:00.000Z',
          logDataPurgeAt: '2026-03-05T16:00:00.000Z',
        },
      },
    },
    {
      example: '3 (in effect + not started)',
      fixture: 'example-3-monthly.json',
      args: ['--now', '2026-02-05T12:30:00.000Z', '--kind', 'UNSUBSCRIBE'],
      expected: {
        refundType: 'PARTIAL_REFUND',
        currency: 'USD',
        refundAmount: 3200,
        nonRefundableVoucherAmount: 200,
        lines: [line('o-new', 3100, 0, 27, 31, 400), line('o-renew', 2800, 200, 0, 28, 2800)],
        retention: {
          configDataPurgeAt: '2026-02-12T12:30:00.000Z',
          logDataPurgeAt: '2026-02-05T16:00:00.000Z',
        },
      },
    },
    {
      example: '4 (default: cancel A and B)',
      fixture: 'example-4-renewals.json',
      args: ['--now', '2026-05-20T00:00:00.000Z', '--kind', 'CANCEL_RENEWAL'],
      expected: {
        refundType: 'RENEWAL_CANCELLATION',
        currency: 'EUR',
        refundAmount: 2200,
        nonRefundableVoucherAmount: 50,
        lines: [
          line('o-renew-a', 1000, 50, 0, 30, 1000),
          line('o-renew-b', 1200, 0, 0, 31, 1200, 'ACCOUNT_BALANCE'),
        ],
        updatedExpirationTime: '2026-06-01T00:00:00.000Z',
        allowedExpirationTimes: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
      },
    },
    {
      example: '4 (07-01: cancel B)',
      fixture: 'example-4-renewals.json',
      args: [
        '--now',
        '2026-05-20T00:00:00.000Z',
        '--kind',
        'CANCEL_RENEWAL',
        '--updated-expiration-time',
        '2026-07-01T00:00:00.000Z',
      ],
      expected: {
        refundType: 'RENEWAL_CANCELLATION',
        currency: 'EUR',
        refundAmount: 1200,
        nonRefundableVoucherAmount: 0,
        lines: [line('o-renew-b', 1200, 0, 0, 31, 1200, 'ACCOUNT_BALANCE')],
        updatedExpirationTime: '2026-07-01T00:00:00.000Z',
        allowedExpirationTimes: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
      },
    },
    {
      example: '5 (retention of an unsubscription at 23:30 UTC+8)',
      fixture: 'example-1-2-annual.json',
      args: ['--now', '2026-04-10T15:30:00.000Z', '--kind', 'UNSUBSCRIBE', '--quota-used'],
      expected: {
        refundType: 'PARTIAL_REFUND',
        currency: 'USD',
        refundAmount: 88952,
        nonRefundableVoucherAmount: 10000,
        lines: [line('o-new', 99900, 10000, 40, 365, 88952)],
        retention: {
          configDataPurgeAt: '2026-04-17T15:30:00.000Z',
          logDataPurgeAt: '2026-04-10T16:00:00.000Z',
        },
      },
    },
  ])('quote, example $example', ({ fixture, args, expected }) => {
    const out = policy(['quote', ...args], fixture);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.json()).toEqual(expected);
  });

  it('due-by, example 6', () => {
    const out = policy(['due-by', '--confirmed-at', '2026-11-27T02:00:00.000Z']);
    expect([out.code, out.json()]).toEqual([0, { dueBy: '2026-12-01T16:00:00.000Z' }]);
  });

  it('due-by with holidays', () => {
    const out = policy([
      'due-by',
      '--confirmed-at',
      '2026-11-27T02:00:00.000Z',
      '--holidays',
      '2026-11-30, 2026-12-01',
    ]);
    expect([out.code, out.json()]).toEqual([0, { dueBy: '2026-12-03T16:00:00.000Z' }]);
  });

  it('quota-year, example 7', () => {
    const out = policy(['quota-year', '--now', '2026-12-31T17:00:00.000Z']);
    expect([out.code, out.json()]).toEqual([0, { quotaYear: 2027 }]);
  });
});

describe('policy CLI: refusals and invalid input (exit 2, one error object on stdout)', () => {
  it('a refusal prints the error body exactly', () => {
    const out = policy(
      ['quote', '--now', '2026-03-05T10:00:00.000Z', '--kind', 'UNSUBSCRIBE'],
      'abnormal-flags.json',
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('');
    expect(out.json()).toEqual({
      error: {
        code: 'RESOURCE_INFO_UNAVAILABLE',
        message: 'Failed to obtain unsubscription resource information',
        details: { reasons: ['OVERDUE_PAYMENT', 'CONFIGURATION_CHANGE_IN_PROGRESS'] },
      },
    });
  });

  it('INVALID_EXPIRATION_TIME lists the allowed times', () => {
    const out = policy(
      [
        'quote',
        '--now',
        '2026-05-20T00:00:00.000Z',
        '--kind',
        'CANCEL_RENEWAL',
        '--updated-expiration-time',
        '2026-08-01T00:00:00.000Z',
      ],
      'example-4-renewals.json',
    );
    expect(out.code).toBe(2);
    expect(out.json().error).toEqual({
      code: 'INVALID_EXPIRATION_TIME',
      message: 'The updated expiration time must be the start of a renewal that has not started yet',
      details: { allowed: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'] },
    });
  });

  it('NOTHING_TO_REFUND after the last period ended', () => {
    const out = policy(
      ['quote', '--now', '2027-03-02T02:00:00.000Z', '--kind', 'UNSUBSCRIBE'],
      'example-1-2-annual.json',
    );
    expect([out.code, out.json().error.code]).toEqual([2, 'NOTHING_TO_REFUND']);
  });

  it('malformed JSON', () => {
    const out = policy(
      ['quote', '--now', '2026-03-05T10:00:00.000Z', '--kind', 'UNSUBSCRIBE'],
      'malformed-instance.txt',
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('');
    expect(out.json().error.code).toBe('VALIDATION_FAILED');
    expect(out.json().error.details.issues).toEqual([
      { field: 'stdin', message: expect.stringMatching(/^is not valid JSON/) },
    ]);
  });

  it('an invalid instance names the field', () => {
    const out = policy(
      ['quote', '--now', '2026-03-05T10:00:00.000Z', '--kind', 'UNSUBSCRIBE'],
      'invalid-period.json',
    );
    expect(out.code).toBe(2);
    expect(out.json()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'orders.0.periodEnd: must be after periodStart',
        details: { issues: [{ field: 'orders.0.periodEnd', message: 'must be after periodStart' }] },
      },
    });
  });

  it.each([
    { args: ['quote', '--kind', 'UNSUBSCRIBE'], field: '--now' },
    { args: ['quote', '--now', '2026-03-05T10:00:00.000Z'], field: '--kind' },
    { args: ['quote', '--now', '2026-03-05', '--kind', 'UNSUBSCRIBE'], field: '--now' },
    { args: ['quote', '--now', '2026-03-05T10:00:00.000Z', '--kind', 'REFUND'], field: '--kind' },
    {
      args: ['quote', '--now', '2026-03-05T10:00:00.000Z', '--kind', 'UNSUBSCRIBE', '--verbose'],
      field: 'arguments',
    },
    {
      args: ['quote', '--now', '2026-03-05T10:00:00.000Z', '--kind', 'UNSUBSCRIBE', 'extra'],
      field: 'arguments',
    },
    {
      args: [
        'quote',
        '--now',
        '2026-03-05T10:00:00.000Z',
        '--kind',
        'UNSUBSCRIBE',
        '--updated-expiration-time',
        '2026-06-01T00:00:00.000Z',
      ],
      field: '--updated-expiration-time',
    },
    {
      args: ['quote', '--now', '2026-03-05T10:00:00.000Z', '--kind', 'CANCEL_RENEWAL', '--quota-used'],
      field: '--quota-used',
    },
    {
      args: [
        'quote',
        '--now',
        '2026-05-20T00:00:00.000Z',
        '--kind',
        'CANCEL_RENEWAL',
        '--updated-expiration-time',
        'soon',
      ],
      field: '--updated-expiration-time',
    },
    { args: ['due-by'], field: '--confirmed-at' },
    {
      args: ['due-by', '--confirmed-at', '2026-11-27T02:00:00.000Z', '--holidays', '2026-11-31'],
      field: 'holidays.0',
    },
    { args: ['quota-year'], field: '--now' },
    { args: ['refund'], field: 'command' },
  ])('bad arguments $args → VALIDATION_FAILED naming $field', ({ args, field }) => {
    const out = policy(args, 'example-4-renewals.json');
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('');
    const { error } = out.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.issues.map((i: { field: string }) => i.field)).toContain(field);
  });

  it.each([[['--help']], [['quote', '--help']], [[]]])('%j prints the usage and exits 0', (args) => {
    const out = policy(args);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Usage:/);
    expect(out.stdout).toContain('--kind UNSUBSCRIBE');
  });
});
