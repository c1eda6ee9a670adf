import { readFileSync, writeFileSync } from 'node:fs';
import type { JsonObject } from './openApiParts.ts';

/**
 * The committed copy of an API's OpenAPI document (`<api>/openapi.json`), so a change to the
 * contract shows in review as a diff. Written by `npm run openapi` in each API's workspace,
 * formatted as prettier formats the rest of the repo; each API's unit test fails when the copy
 * differs from what the code builds.
 */
export async function writeOpenApiFile(path: string, document: JsonObject): Promise<void> {
  const { format, resolveConfig } = await import('prettier');
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(JSON.stringify(document), { ...options, filepath: path }));
}

export function readOpenApiFile(path: string): JsonObject {
  return JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
}
