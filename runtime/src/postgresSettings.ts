import type pg from 'pg';
import type { Logger } from './logger.ts';
import { formatQuantity, quantityOf, type Dimension, type PgSetting } from './postgresUnits.ts';

export type { PgSetting } from './postgresUnits.ts';

/**
 * The server settings the ledger's write load needs (README, "Postgres settings"), reviewed once
 * at start-up by the services that write: a finding is a log line for the operator, never a
 * refusal to start. Thresholds and the measurements behind them are here and nowhere else.
 */

/** WAL the processor and projector write per transfer together, measured on this project. */
export const walBytesPerTransfer = 4_700;
/** The sustained write rate the ledger is sized for (README, benchmark targets). */
export const targetTransfersPerSecond = 10_000;
/** ~90 s of WAL at the target rate between size-forced checkpoints (1GB: ~23 s). */
export const maxWalSizeMinBytes = 4 * 1024 ** 3;
export const checkpointTimeoutMinMs = 5 * 60_000;
/** A floor, not a target: the 1M-account accounts table alone is ~470 MB. */
export const sharedBuffersMinBytes = 256 * 1024 ** 2;

export type SettingSeverity = 'warn' | 'info';

export interface SettingAdvice {
  readonly name: string;
  /** As `SHOW name` prints it ('1GB', 'off'). */
  readonly current: string;
  readonly recommended: string;
  readonly reason: string;
  readonly severity: SettingSeverity;
}

interface SettingRule {
  readonly name: string;
  readonly recommended: string;
  readonly severity: SettingSeverity;
  /** The finding's current value and reason, or undefined when the setting is fine. */
  review(setting: PgSetting): { current: string; reason: string } | undefined;
}

const walBytesPerSecond = walBytesPerTransfer * targetTransfersPerSecond;

const rules: readonly SettingRule[] = [
  atLeast({
    name: 'max_wal_size',
    dimension: 'bytes',
    minimum: maxWalSizeMinBytes,
    severity: 'warn',
    reason: (current, bytes) =>
      [
        `The ledger processor and projector write ~${walBytesPerTransfer / 1000} kB of WAL per`,
        `transfer, ~${Math.round(walBytesPerSecond / 1e6)} MB/s at ${targetTransfersPerSecond.toLocaleString('en-US')}`,
        `transfers/s; ${current} of WAL forces a checkpoint every`,
        `~${Math.round(bytes / walBytesPerSecond)} s or sooner, and after each checkpoint the first`,
        'change to every page writes the whole page into WAL (full-page writes), which multiplies',
        'WAL volume.',
      ].join(' '),
  }),
  equalTo({
    name: 'wal_compression',
    bad: 'off',
    recommended: 'lz4',
    severity: 'warn',
    reason: [
      'Full-page images dominate WAL right after each checkpoint (the accounts table and its',
      'indexes change on every transfer); compressing them cuts WAL volume for a little CPU.',
      'lz4 or zstd where the server is built with them (pg_settings.enumvals), else on (pglz).',
    ].join(' '),
  }),
  equalTo({
    name: 'autovacuum',
    bad: 'off',
    recommended: 'on',
    severity: 'warn',
    reason: [
      'Every transfer updates two accounts rows (HOT updates need pages pruned of dead versions),',
      'and the outbox and read-model tables churn; without autovacuum tables and indexes bloat and',
      "the planner's statistics go stale.",
    ].join(' '),
  }),
  atLeast({
    name: 'checkpoint_timeout',
    dimension: 'ms',
    minimum: checkpointTimeoutMinMs,
    severity: 'warn',
    reason: (current) =>
      [
        `A checkpoint every ${current} writes the same hot pages (accounts, indexes) again and`,
        'again, and each one restarts full-page writes, which multiplies WAL volume.',
      ].join(' '),
  }),
  equalTo({
    name: 'synchronous_commit',
    bad: 'off',
    recommended: 'on',
    severity: 'info',
    reason: [
      "Sessions commit asynchronously by default: a Postgres crash can lose the ledger processor's",
      'last commits, and with them the consumed offsets its exactly-once processing relies on,',
      'after their events were published and clients answered. The ledger transactions must be',
      'durable (the projector turns it off per transaction on purpose: it re-projects what a crash',
      'loses).',
    ].join(' '),
  }),
  atLeast({
    name: 'shared_buffers',
    dimension: 'bytes',
    minimum: sharedBuffersMinBytes,
    severity: 'info',
    reason: (current) =>
      [
        'Each transfer reads and updates two accounts rows and their index entries; a 1M-account',
        `accounts table is ~470 MB plus indexes, which ${current} does not keep cached, so the`,
        'cost per transfer rises as accounts grow.',
        `${formatQuantity({ dimension: 'bytes', value: sharedBuffersMinBytes })} is a floor: size it`,
        'to the accounts table and its indexes (often ~25% of RAM). Needs a restart.',
      ].join(' '),
  }),
];

/** The names `checkPostgresSettings` reads, in the order findings are reported. */
export const reviewedPostgresSettings: readonly string[] = rules.map((rule) => rule.name);

/** Pure: what to change, one entry per setting below what the ledger needs. Absent ones are skipped. */
export function reviewPostgresSettings(settings: ReadonlyMap<string, PgSetting>): SettingAdvice[] {
  return rules.flatMap((rule) => {
    const setting = settings.get(rule.name);
    const finding = setting === undefined ? undefined : rule.review(setting);
    if (finding === undefined) return [];
    const { name, recommended, severity } = rule;
    return [{ name, recommended, severity, ...finding }];
  });
}

/**
 * Reads the settings this session runs with (server configuration plus any database or role
 * overrides: what the services' transactions get) and logs one line per finding at its severity,
 * with the reason. Never throws: a failed read is a warning too, and start-up goes on.
 */
export async function checkPostgresSettings(
  pool: pg.Pool,
  logger: Logger,
): Promise<readonly SettingAdvice[]> {
  let settings: Map<string, PgSetting>;
  try {
    const result = await pool.query<{ name: string; setting: string; unit: string | null }>(
      'select name, setting, unit from pg_settings where name = any($1)',
      [reviewedPostgresSettings],
    );
    settings = new Map(result.rows.map(({ name, setting, unit }) => [name, { setting, unit }]));
  } catch (error) {
    logger.warn('could not read the Postgres settings to review them', {
      settings: reviewedPostgresSettings,
      error,
    });
    return [];
  }
  const advice = reviewPostgresSettings(settings);
  for (const { name, current, recommended, reason, severity } of advice) {
    logger[severity](`postgres setting ${name} = ${current}, recommended ${recommended}`, {
      setting: name,
      current,
      recommended,
      reason,
    });
  }
  return advice;
}

/** A size or duration below `minimum`; a unit this check cannot read is reported, not guessed. */
function atLeast(rule: {
  readonly name: string;
  readonly dimension: Dimension;
  readonly minimum: number;
  readonly severity: SettingSeverity;
  readonly reason: (current: string, value: number) => string;
}): SettingRule {
  const { name, dimension, minimum, severity } = rule;
  const recommended = `≥ ${formatQuantity({ dimension, value: minimum })}`;
  return {
    name,
    recommended,
    severity,
    review(setting) {
      const quantity = quantityOf(setting);
      if (quantity === undefined || quantity.dimension !== dimension) {
        return {
          current: `${setting.setting} (unit ${setting.unit ?? 'none'})`,
          reason: `Reported in a unit this check does not read: check by hand that it is ${recommended}.`,
        };
      }
      if (quantity.value >= minimum) return undefined;
      const current = formatQuantity(quantity);
      return { current, reason: rule.reason(current, quantity.value) };
    },
  };
}

/** An enum or boolean setting at a value the ledger should not run with. */
function equalTo(rule: {
  readonly name: string;
  readonly bad: string;
  readonly recommended: string;
  readonly severity: SettingSeverity;
  readonly reason: string;
}): SettingRule {
  const { name, bad, recommended, severity, reason } = rule;
  return {
    name,
    recommended,
    severity,
    review: ({ setting }) => (setting === bad ? { current: setting, reason } : undefined),
  };
}
