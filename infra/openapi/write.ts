/** `npm run openapi`: writes the OpenAPI document to docs/openapi.json. */
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, openApiJson } from './document.ts';

writeFileSync(OPENAPI_FILE, openApiJson());
console.log(`wrote ${OPENAPI_FILE}`);
