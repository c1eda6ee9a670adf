import { fileURLToPath } from 'node:url';
import { writeOpenApiFile } from '@ledger/schemas/openApiFile';
import { queryApiDocument } from './openApiDocument.ts';

/** The committed document, query-api/openapi.json; `npm run openapi` rewrites it. */
export const queryApiDocumentFile = fileURLToPath(new URL('../openapi.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeOpenApiFile(queryApiDocumentFile, queryApiDocument());
}
