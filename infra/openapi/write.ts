/** `npm run openapi`: writes the OpenAPI document to docs/openapi.json and the event schemas to docs/events/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { eventJsonSchemas, OPENAPI_FILE, openApiJson } from './document.ts';

writeFileSync(OPENAPI_FILE, openApiJson());
mkdirSync('docs/events', { recursive: true });
for (const [file, json] of Object.entries(eventJsonSchemas())) writeFileSync(`docs/events/${file}`, json);
console.log(`wrote ${OPENAPI_FILE} and docs/events/`);
