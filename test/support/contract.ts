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
const validators = new Map<string, Documented>();

interface Documented {
  mediaType: string;
  validate: ValidateFunction;
}

function documented(routeKey: string, status: number): Documented {
  const key = `${routeKey} ${status}`;
  const known = validators.get(key);
  if (known) return known;
  const [method = '', path = ''] = routeKey.split(' ');
  const operation = (document.paths[path] as Json | undefined)?.[method.toLowerCase()] as
    | { responses: Record<string, { content: Record<string, { schema: Json }> }> }
    | undefined;
  const response = operation?.responses[String(status)];
  if (!response) throw new Error(`the OpenAPI document has no ${status} answer for ${routeKey}`);
  const [mediaType, content] = Object.entries(response.content)[0] ?? [];
  if (!mediaType || !content) throw new Error(`the OpenAPI document has no body for ${key}`);
  const schema = JSON.parse(
    JSON.stringify(content.schema).replaceAll('#/components/schemas/', '#/$defs/'),
  ) as Json;
  const found = { mediaType, validate: ajv.compile({ ...schema, $defs: components }) };
  validators.set(key, found);
  return found;
}

/** The media type the document gives the answer of `routeKey` with `status`. */
export const documentedMediaType = (routeKey: string, status: number): string =>
  documented(routeKey, status).mediaType;

/**
 * Throws when `body` is not what the document promises for `routeKey` answering `status`: a
 * JSON answer's value, or, for a JSON Lines answer (`application/x-ndjson`), each line's value
 * (`body` is then the array of them). `contentType`, when given, must be the documented one.
 */
export function assertMatchesContract(
  routeKey: string,
  status: number,
  body: unknown,
  contentType?: string,
): void {
  const { mediaType, validate } = documented(routeKey, status);
  const given = contentType?.split(';')[0]?.trim().toLowerCase();
  if (given !== undefined && given !== mediaType)
    throw new Error(`${routeKey} answered ${status} as ${given}; the OpenAPI document says ${mediaType}`);
  const values = mediaType === 'application/x-ndjson' ? (body as unknown[]) : [body];
  for (const value of values) {
    if (!validate(value)) {
      throw new Error(
        `${routeKey} answered ${status} with a body the OpenAPI document does not allow: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`,
      );
    }
  }
}
