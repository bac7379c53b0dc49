import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '#http/routes.ts';
import { errorCodesByStatus, OPENAPI_FILE, openApiDocument, openApiJson } from '#infra/openapi/document.ts';
import { ERROR_STATUS } from '#shared/errors.ts';
import { assertMatchesContract } from '#test/support/contract.ts';

describe('the OpenAPI document', () => {
  it('is checked in and current (run `npm run openapi` after changing a schema or a route)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(openApiJson());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(openApiDocument() as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has one operation per route, with its security, and every SPEC 4.4 code on some route', () => {
    const { paths } = openApiDocument();
    const seen = new Set<string>();
    for (const route of ROUTES) {
      const operation = paths[route.path]?.[route.method.toLowerCase()] as
        | { security: Record<string, unknown>[]; responses: Record<string, unknown> }
        | undefined;
      expect(operation, routeKey(route)).toBeDefined();
      const schemes = { internal: ['iam'], public: ['jwt'], none: [], operator: ['jwt'], approver: ['jwt'] }[
        route.auth
      ];
      expect(Object.keys(operation?.security[0] ?? {})).toEqual(schemes);
      for (const codes of errorCodesByStatus(route).values()) for (const code of codes) seen.add(code);
    }
    expect([...seen].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    const methods = Object.values(paths).flatMap((p) => Object.keys(p));
    expect(methods).toHaveLength(ROUTES.length);
  });

  it('asks for the Idempotency-Key header exactly on the money-moving routes', () => {
    const { paths } = openApiDocument();
    const withKey = ROUTES.filter((route) => {
      const operation = paths[route.path]?.[route.method.toLowerCase()] as { parameters: { name: string }[] };
      return operation.parameters.some((p) => p.name === 'Idempotency-Key');
    }).map(routeKey);
    expect(withKey).toEqual([
      'POST /instances/{instanceId}/unsubscriptions',
      'POST /instances/{instanceId}/renewal-cancellations',
      // The back office: every action (each POST under /ops).
      ...ROUTES.filter((r) => r.method === 'POST' && r.path.startsWith('/ops/')).map(routeKey),
    ]);
  });
});

describe('the contract checker', () => {
  const error = (code: string) => ({ error: { code, message: 'm', details: {} } });

  it('accepts a documented error and refuses a code the route does not give', () => {
    expect(() => assertMatchesContract('GET /instances/{instanceId}', 404, error('NOT_FOUND'))).not.toThrow();
    expect(() => assertMatchesContract('GET /account/balance', 404, error('NOT_FOUND'))).toThrow(/no 404/);
    expect(() => assertMatchesContract('POST /internal/orders', 409, error('QUOTE_STALE'))).toThrow(
      /does not allow/,
    );
  });

  it('refuses a body with an undocumented field, a missing field or a non-ISO instant', () => {
    const balance = { balances: [{ currency: 'USD', amount: 5 }], entries: [] };
    expect(() => assertMatchesContract('GET /account/balance', 200, balance)).not.toThrow();
    expect(() => assertMatchesContract('GET /account/balance', 200, { ...balance, extra: 1 })).toThrow();
    expect(() => assertMatchesContract('GET /account/balance', 200, { entries: [] })).toThrow();
    const entry = {
      entryId: 'e',
      currency: 'USD',
      amount: 5,
      cause: 'REFUND_TO_BALANCE',
      unsubscribeOrderId: 'u',
      orderId: 'o',
      createdAt: 'yesterday',
    };
    expect(() =>
      assertMatchesContract('GET /account/balance', 200, { ...balance, entries: [entry] }),
    ).toThrow(/format/);
  });
});
