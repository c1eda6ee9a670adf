import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { ReadinessCheck } from './readiness.ts';

/** Readiness probes for the stack's parts, each one cheap round trip. */
export function postgresCheck(pool: pg.Pool): ReadinessCheck {
  return { name: 'postgres', check: async () => void (await pool.query('select 1')) };
}

export function kafkaCheck(admin: Admin): ReadinessCheck {
  return { name: 'kafka', check: async () => void (await admin.describeCluster()) };
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    check: async () => {
      if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
    },
  };
}

export function registryCheck(registryUrl: string): ReadinessCheck {
  return {
    name: 'schema-registry',
    check: async () => {
      const response = await fetch(`${registryUrl}/subjects`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) throw new Error(`registry answered ${response.status}`);
    },
  };
}
