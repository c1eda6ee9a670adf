import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { readinessCheckTimeoutMs, type ReadinessCheck } from './readiness.ts';

/**
 * Readiness probes for the stack's parts, each one cheap round trip. Redis has none: it carries
 * only conveniences, so a service stays ready without it (see redisClient.ts).
 */
export function postgresCheck(pool: pg.Pool): ReadinessCheck {
  return { name: 'postgres', check: async () => void (await pool.query('select 1')) };
}

export function kafkaCheck(admin: Admin): ReadinessCheck {
  return { name: 'kafka', check: async () => void (await admin.describeCluster()) };
}

export function registryCheck(registryUrl: string): ReadinessCheck {
  return {
    name: 'schema-registry',
    check: async () => {
      const response = await fetch(`${registryUrl}/subjects`, {
        signal: AbortSignal.timeout(readinessCheckTimeoutMs),
      });
      if (!response.ok) throw new Error(`registry answered ${response.status}`);
    },
  };
}
