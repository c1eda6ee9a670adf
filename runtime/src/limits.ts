/**
 * Reads a bounded integer from the environment. Every limit in the system goes through here so a
 * bad value stops the process at start-up with a message naming the variable, never later.
 */
export function intFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new Error(
      `${name}=${raw ?? String(fallback)} is invalid: expected an integer in [${bounds.min}, ${bounds.max}]`,
    );
  }
  return value;
}

export function stringFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** A comma-separated list, blanks dropped, empty when unset; more than `itemsMax` stops the start. */
export function listFromEnv(env: NodeJS.ProcessEnv, name: string, itemsMax: number): string[] {
  const items = stringFromEnv(env, name, '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length > itemsMax) {
    throw new Error(`${name} holds ${items.length} entries, at most ${itemsMax}`);
  }
  return items;
}
