import { assert, type Logger, type TopicNames } from '@ledger/runtime';
import { ledgerSubjects } from './ledgerSubjects.ts';
import { createRegistryHttp, RegistryHttpError } from './registryHttp.ts';

export const ledgerCompatibility = 'BACKWARD' as const;

/**
 * Registers every ledger value schema under `<topic>-value` and pins each subject to BACKWARD
 * compatibility (Apicurio's default is NONE, which would accept any change). Idempotent: an
 * identical schema gets its existing id. The level is set before registering so the new version is
 * checked against the old ones, and read back afterwards (a registry that ignores the setting must
 * fail here, not silently accept an incompatible schema later). Called by the stack starter.
 */
export async function registerSchemas(options: {
  registryUrl: string;
  topics: TopicNames;
  logger: Logger;
}): Promise<void> {
  const registry = createRegistryHttp(options.registryUrl);
  for (const { subject, schema } of ledgerSubjects(options.topics)) {
    await registry.setCompatibility(subject, ledgerCompatibility);
    let schemaId: number;
    try {
      schemaId = await registry.registerSchema(subject, schema.text);
    } catch (error) {
      if (error instanceof RegistryHttpError && error.status === 409) {
        throw new Error(
          `${schema.fullName} is not ${ledgerCompatibility} compatible with the versions registered ` +
            `under ${subject}: evolve it compatibly (add fields with defaults, add union branches) ` +
            `or use new topics. Registry said: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
    const level = await registry.getCompatibility(subject);
    assert(
      level === ledgerCompatibility,
      `registry reports compatibility ${String(level)} for ${subject} after setting ${ledgerCompatibility}`,
    );
    options.logger.info('schema registered', {
      subject,
      schema: schema.fullName,
      schemaId,
      compatibility: level,
    });
  }
}
