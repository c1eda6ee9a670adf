import { createHash } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose every line carries these fields (service, correlationId, partition…). */
  child(bindings: LogFields): Logger;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly bindings?: LogFields;
  /** Where lines go; stdout by default. Tests pass an array collector. */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

/** One JSON object per line, as log shippers expect. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = levelRank[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const make = (bindings: LogFields): Logger => {
    const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (levelRank[level] < minimum) return;
      write(
        JSON.stringify(
          { time: now().toISOString(), level, msg: message, ...bindings, ...fields },
          jsonSafe,
        ),
      );
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make(options.bindings ?? {});
}

/**
 * Fields never written, at any depth, whoever logs them: an API key travels in `Authorization`,
 * and a secret must not reach a log line through a carelessly logged object.
 */
const redactedFields = new Set([
  'authorization',
  'apikey',
  'api_key',
  'secret',
  'password',
  'cookie',
]);

function jsonSafe(key: string, value: unknown): unknown {
  if (redactedFields.has(key.toLowerCase())) return '[redacted]';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/**
 * Account ids are personal data in a bank's logs: keep enough to correlate (first two and last
 * two characters, length) and drop the rest.
 */
export function maskAccountId(accountId: string): string {
  if (accountId.length <= 4) return '*'.repeat(accountId.length);
  return `${accountId.slice(0, 2)}${'*'.repeat(accountId.length - 4)}${accountId.slice(-2)}`;
}

/** Amounts are logged as a short keyed-free hash: equal amounts correlate, values do not leak. */
export function hashAmount(amount: bigint | string): string {
  return createHash('sha256').update(String(amount)).digest('hex').slice(0, 12);
}

export function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined || raw === '') return 'info';
  if (raw in levelRank) return raw as LogLevel;
  throw new Error(`LEDGER_LOG_LEVEL=${raw} is invalid: expected one of debug, info, warn, error`);
}
