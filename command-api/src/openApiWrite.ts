import { fileURLToPath } from 'node:url';
import { writeOpenApiFile } from '@ledger/schemas/openApiFile';
import { commandApiDocument } from './openApiDocument.ts';

/** The committed document, command-api/openapi.json; `npm run openapi` rewrites it. */
export const commandApiDocumentFile = fileURLToPath(new URL('../openapi.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeOpenApiFile(commandApiDocumentFile, commandApiDocument());
}
