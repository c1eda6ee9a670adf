import type { Logger, TopicNames } from '@ledger/runtime';
import { failures, oneLine } from '../failures.ts';
import type { Reporter } from '../reporter.ts';

/**
 * Registers the wire contract's schemas once the registry is healthy. `@ledger/schemas` owns
 * them (and sets BACKWARD compatibility per subject); it is imported lazily so the stack still
 * starts while that package is being written.
 */
export interface RegisterSchemasOptions {
  readonly registryUrl: string;
  readonly topics: TopicNames;
  readonly logger: Logger;
}
type RegisterSchemas = (options: RegisterSchemasOptions) => Promise<void>;

/** A variable, so TypeScript does not resolve a package file that may not exist yet. */
const schemasPackage = '@ledger/schemas';

export async function loadRegisterSchemas(): Promise<RegisterSchemas | undefined> {
  try {
    const module = (await import(schemasPackage)) as { registerSchemas?: unknown };
    return typeof module.registerSchemas === 'function'
      ? (module.registerSchemas as RegisterSchemas)
      : undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED')
      return undefined;
    throw error;
  }
}

/** Returns false when the schemas package has no registerSchemas yet (one line says so). */
export async function registerLedgerSchemas(
  options: RegisterSchemasOptions,
  reporter: Reporter,
): Promise<boolean> {
  const registerSchemas = await loadRegisterSchemas();
  if (registerSchemas === undefined) {
    reporter.line('schemas', 'registerSchemas not available yet, skipped');
    return false;
  }
  try {
    await registerSchemas(options);
  } catch (error) {
    const message = oneLine(error instanceof Error ? error.message : String(error), 240);
    throw failures.schemasFailed(message, options.registryUrl);
  }
  reporter.line('schemas', `registered in ${options.registryUrl}`);
  return true;
}
