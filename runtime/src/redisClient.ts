import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * Redis carries only conveniences (rate limits, outcome push), so commands must not wait on it:
 * no offline queue, one retry per request, and reconnects with a capped backoff in the background.
 * Auto-pipelining sends every command issued in one event-loop turn in one socket write: a
 * profile of the command API under single transfers showed ~20% of its CPU in one write(2) per
 * Redis command (rate limit, claim, confirm for each request).
 */
export function createRedisClient(url: string, logger: Logger, name: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5_000),
  });
  let lastState = '';
  const note = (state: string, fields?: Record<string, unknown>) => {
    if (state === lastState) return;
    lastState = state;
    if (state === 'error') logger.warn(`redis ${state}`, { name, ...fields });
    else logger.info(`redis ${state}`, { name, ...fields });
  };
  client.on('ready', () => note('ready'));
  client.on('error', (error: Error) => note('error', { error: error.message }));
  client.on('end', () => note('end'));
  return client;
}
