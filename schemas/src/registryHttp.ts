/**
 * The few Confluent-compatible registry calls the serde library does not expose (setting a
 * subject's compatibility, deleting a subject) plus registration, on plain fetch. Works against
 * Confluent and Apicurio's `/apis/ccompat/v7`.
 */
export const registryRequestTimeoutMs = 10_000;

export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

/** A registry answer other than success. 409 on register: incompatible with earlier versions. */
export class RegistryHttpError extends Error {
  override readonly name = 'RegistryHttpError';
  constructor(
    readonly status: number | undefined,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
  /** No answer or a 5xx may pass; a 4xx is the same next time. */
  get retriable(): boolean {
    return this.status === undefined || this.status >= 500;
  }
}

export interface RegistryHttp {
  /** Registers (or finds, when identical) the schema under the subject; returns its id. */
  registerSchema(subject: string, schemaText: string): Promise<number>;
  setCompatibility(subject: string, level: CompatibilityLevel): Promise<void>;
  /** The subject's own level, or undefined when it has none (then the global default applies). */
  getCompatibility(subject: string): Promise<string | undefined>;
  /** The schema text stored under a registry id (what auditors fetch as the writer schema). */
  getSchemaText(schemaId: number): Promise<string>;
  /** Soft then permanent delete; a subject that does not exist is fine. */
  deleteSubject(subject: string): Promise<void>;
}

export function createRegistryHttp(
  registryUrl: string,
  timeoutMs = registryRequestTimeoutMs,
): RegistryHttp {
  const root = registryUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const url = `${root}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RegistryHttpError(undefined, `${method} ${url}: no answer (${reason})`, {
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new RegistryHttpError(
        response.status,
        `${method} ${url}: ${response.status} ${text.slice(0, 500)}`,
      );
    }
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  const subjectPath = (subject: string) => encodeURIComponent(subject);

  return {
    async registerSchema(subject, schemaText) {
      const answer = await call('POST', `/subjects/${subjectPath(subject)}/versions`, {
        schema: schemaText,
      });
      return field(answer, 'id', 'number');
    },
    async setCompatibility(subject, level) {
      await call('PUT', `/config/${subjectPath(subject)}`, { compatibility: level });
    },
    async getCompatibility(subject) {
      try {
        return field(
          await call('GET', `/config/${subjectPath(subject)}`),
          'compatibilityLevel',
          'string',
        );
      } catch (error) {
        if (error instanceof RegistryHttpError && error.status === 404) return undefined;
        throw error;
      }
    },
    async getSchemaText(schemaId) {
      return field(await call('GET', `/schemas/ids/${schemaId}`), 'schema', 'string');
    },
    async deleteSubject(subject) {
      for (const suffix of ['', '?permanent=true']) {
        try {
          await call('DELETE', `/subjects/${subjectPath(subject)}${suffix}`);
        } catch (error) {
          if (!(error instanceof RegistryHttpError && error.status === 404)) throw error;
        }
      }
    },
  };
}

function field<T extends 'number' | 'string'>(
  answer: unknown,
  name: string,
  kind: T,
): T extends 'number' ? number : string {
  const value: unknown =
    typeof answer === 'object' && answer !== null
      ? (answer as Record<string, unknown>)[name]
      : undefined;
  if (typeof value !== kind) {
    throw new RegistryHttpError(
      undefined,
      `registry answer has no ${kind} ${name}: ${JSON.stringify(answer)}`,
    );
  }
  return value as T extends 'number' ? number : string;
}
