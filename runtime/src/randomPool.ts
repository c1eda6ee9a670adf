import { randomFillSync } from 'node:crypto';

/** Bytes fetched from the CSPRNG at once: one syscall per ~200 ids instead of one per id. */
export const randomPoolBytes = 4_096;

/**
 * Hands out slices of a buffer filled from crypto.randomFillSync, refilled when used up. Each
 * request draws ~26 random bytes (request id, command id, trace ids); a syscall for each showed
 * up in profiles of the accept path.
 */
export function createRandomPool(
  poolBytes: number = randomPoolBytes,
): (size: number) => Uint8Array {
  const pool = new Uint8Array(poolBytes);
  let offset = poolBytes;
  return (size: number): Uint8Array => {
    if (size > poolBytes) return randomFillSync(new Uint8Array(size));
    if (offset + size > poolBytes) {
      randomFillSync(pool);
      offset = 0;
    }
    const bytes = pool.slice(offset, offset + size);
    offset += size;
    return bytes;
  };
}

/** The process-wide pool (module state is fine: it holds no secrets anyone else can read). */
export const pooledRandomBytes = createRandomPool();
