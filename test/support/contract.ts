/**
 * The contract test's checker: every answer the service gives in the integration suites must
 * match the OpenAPI document for its route and status (ajv, strict, with formats). Drift
 * between code and document fails the test that produced the answer.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '#infra/openapi/document.ts';

type Json = Record<string, unknown>;

const document = openApiDocument();
const components = JSON.parse(
  JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', '#/$defs/'),
) as Json;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();

function validatorFor(routeKey: string, status: number): ValidateFunction {
  const key = `${routeKey} ${status}`;
  const known = validators.get(key);
  if (known) return known;
  const [method = '', path = ''] = routeKey.split(' ');
  const operation = (document.paths[path] as Json | undefined)?.[method.toLowerCase()] as
    | { responses: Record<string, { content: { 'application/json': { schema: Json } } }> }
    | undefined;
  const response = operation?.responses[String(status)];
  if (!response) throw new Error(`the OpenAPI document has no ${status} answer for ${routeKey}`);
  const schema = JSON.parse(
    JSON.stringify(response.content['application/json'].schema).replaceAll(
      '#/components/schemas/',
      '#/$defs/',
    ),
  ) as Json;
  const validate = ajv.compile({ ...schema, $defs: components });
  validators.set(key, validate);
  return validate;
}

/** Throws when `body` is not what the document promises for `routeKey` answering `status`. */
export function assertMatchesContract(routeKey: string, status: number, body: unknown): void {
  const validate = validatorFor(routeKey, status);
  if (!validate(body)) {
    throw new Error(
      `${routeKey} answered ${status} with a body the OpenAPI document does not allow: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
    );
  }
}
