// Runs one baseline server in its own process (the real services each have theirs, and the load
// generator must not share an event loop with what it measures):
//   node --import tsx bench/src/baselines/serveBaseline.ts <bare|db-read|naive-write> <port> [schema]
// Prints `listening <port> <detail>` once it accepts connections; stops on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPostgresPool,
  intFromEnv,
  listen,
  postgresPoolMax,
  readStackConfig,
} from '@ledger/runtime';
import type pg from 'pg';
import { createBareServer } from './bareServer.ts';
import { createDbReadServer, dbReadPoolMaxDefault, findBalanceSource } from './dbReadServer.ts';
import { createNaiveWriteServer, naivePoolMaxDefault } from './naiveWriteServer.ts';

export type BaselineKind = 'bare' | 'db-read' | 'naive-write';

async function main(argv: readonly string[]): Promise<void> {
  const [kind, portText, schema = 'ledger'] = argv;
  const port = Number(portText ?? '0');
  const poolBase = { connectionString: readStackConfig().postgresUrl, schema };
  let pool: pg.Pool | undefined;
  let server: Server;
  let detail = '';
  switch (kind as BaselineKind) {
    case 'bare':
      server = createBareServer();
      break;
    case 'db-read': {
      const max = poolMaxFromEnv('BENCH_DB_READ_POOL_MAX', dbReadPoolMaxDefault);
      pool = createPostgresPool({ ...poolBase, max, applicationName: 'bench-db-read' });
      const source = await findBalanceSource(pool, schema);
      server = createDbReadServer(pool, source);
      detail = `table ${schema}.${source.table} pool ${max}`;
      break;
    }
    case 'naive-write': {
      const max = poolMaxFromEnv('BENCH_NAIVE_POOL_MAX', naivePoolMaxDefault);
      pool = createPostgresPool({ ...poolBase, max, applicationName: 'bench-naive' });
      server = createNaiveWriteServer(pool);
      detail = `schema ${schema} pool ${max}`;
      break;
    }
    default:
      throw new Error(`unknown baseline ${kind ?? '(none)'}: bare, db-read or naive-write`);
  }
  // The services' own listen (node's default backlog), so a 1000-client burst meets the same
  // accept queue on both sides of a comparison.
  await listen(server, port, '127.0.0.1');
  console.log(`listening ${(server.address() as AddressInfo).port} ${detail}`);
  const stop = () => {
    server.closeAllConnections();
    server.close(() => void (pool?.end() ?? Promise.resolve()).then(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** A pool size override, within the bound runtime's createPostgresPool enforces anyway. */
function poolMaxFromEnv(variable: string, fallback: number): number {
  return intFromEnv(process.env, variable, fallback, { min: 1, max: postgresPoolMax });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error('baseline failed to start:', error);
  process.exit(1);
});
