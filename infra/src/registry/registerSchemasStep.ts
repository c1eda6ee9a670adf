import type { Logger, TopicNames } from '@ledger/runtime';
import { registerSchemas } from '@ledger/schemas';
import { failures, oneLine } from '../failures.ts';
import type { Reporter } from '../reporter.ts';

/**
 * Registers the wire contract's schemas once the registry is healthy. `@ledger/schemas` owns
 * them (and sets BACKWARD compatibility per subject); this step turns its errors into the stack's
 * one-line failure.
 */
export interface RegisterSchemasOptions {
  readonly registryUrl: string;
  readonly topics: TopicNames;
  readonly logger: Logger;
}

export async function registerLedgerSchemas(
  options: RegisterSchemasOptions,
  reporter: Reporter,
): Promise<void> {
  try {
    await registerSchemas(options);
  } catch (error) {
    const message = oneLine(error instanceof Error ? error.message : String(error), 240);
    throw failures.schemasFailed(message, options.registryUrl);
  }
  reporter.line('schemas', `registered in ${options.registryUrl}`);
}
