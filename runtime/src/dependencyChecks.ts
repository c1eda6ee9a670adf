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

/**
 * The broker answers and every partition of the topics this service reads or writes has a
 * leader. A broker that answers while partitions are offline (a restart whose leader election
 * has not happened yet, or never will) cannot take a write or serve a read, so the service is not
 * ready: a load balancer must send the traffic elsewhere and the operator must see why.
 */
export function kafkaCheck(admin: Admin, topics: readonly string[]): ReadinessCheck {
  return {
    name: 'kafka',
    check: async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const offline = partitionsWithoutLeader(metadata.topics);
      if (offline.length > 0) {
        throw new Error(
          `${offline.length} partition(s) without a leader: ${offline.slice(0, 5).join(', ')}`,
        );
      }
    },
  };
}

/** `topic-partition` names whose leader is unknown (-1) or that report an error. */
export function partitionsWithoutLeader(
  topics: readonly {
    readonly name: string;
    readonly partitions: readonly {
      readonly partitionId: number;
      readonly leader: number;
      readonly partitionErrorCode?: number;
    }[];
  }[],
): string[] {
  return topics.flatMap((topic) =>
    topic.partitions
      .filter((partition) => partition.leader < 0 || (partition.partitionErrorCode ?? 0) !== 0)
      .map((partition) => `${topic.name}-${partition.partitionId}`),
  );
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

/**
 * Redis as the client sees it, with no round trip: ioredis reconnects on its own and queues
 * nothing while down (see redisClient.ts), so its status is the answer.
 */
export function redisCheck(client: { readonly status: string }): ReadinessCheck {
  return {
    name: 'redis',
    check: () =>
      client.status === 'ready'
        ? Promise.resolve()
        : Promise.reject(new Error(`redis connection ${client.status}`)),
  };
}
