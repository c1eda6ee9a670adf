/**
 * The units `pg_settings` reports numeric settings in. Its `unit` column may carry a count:
 * shared_buffers is in '8kB' pages, max_wal_size in 'MB' (in '16MB' segments before PG 11), so
 * `setting` alone is never a size or a duration.
 */
export interface PgSetting {
  readonly setting: string;
  readonly unit: string | null;
}

export type Dimension = 'bytes' | 'ms';

/** A numeric setting in its base unit: bytes for memory and WAL sizes, milliseconds for time. */
export interface Quantity {
  readonly dimension: Dimension;
  readonly value: number;
}

const kib = 1024;

/** Largest first, as SHOW picks them. */
const unitsByDimension: Readonly<Record<Dimension, ReadonlyArray<readonly [string, number]>>> = {
  bytes: [
    ['TB', kib ** 4],
    ['GB', kib ** 3],
    ['MB', kib ** 2],
    ['kB', kib],
    ['B', 1],
  ],
  ms: [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ],
};

const unitPattern = /^(\d*)([A-Za-z]+)$/;

/** undefined for a unitless setting, a unit this list does not know, or a non-numeric value. */
export function quantityOf(setting: PgSetting): Quantity | undefined {
  const match = unitPattern.exec(setting.unit ?? '');
  const value = Number(setting.setting);
  if (match === null || setting.setting.trim() === '' || !Number.isFinite(value)) return undefined;
  const [, count = '', unit] = match;
  const multiplier = count === '' ? 1 : Number(count);
  for (const dimension of ['bytes', 'ms'] as const) {
    const found = unitsByDimension[dimension].find(([name]) => name === unit);
    if (found !== undefined) return { dimension, value: value * multiplier * found[1] };
  }
  return undefined;
}

/**
 * As `SHOW` prints it: in the largest unit that divides the value exactly ('1GB', '128MB',
 * '5min'); zero and negative values (often "disabled") without a unit.
 */
export function formatQuantity(quantity: Quantity): string {
  if (quantity.value <= 0) return String(quantity.value);
  const units = unitsByDimension[quantity.dimension];
  const exact = units.find(([, size]) => quantity.value % size === 0);
  const [name, size] = exact ?? units[units.length - 1] ?? ['', 1];
  return `${quantity.value / size}${name}`;
}
