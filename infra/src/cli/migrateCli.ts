// `npm run migrate -- up|down|status [--all] [--schema x]`: the ledger's migrations
// (infra/migrations/index.ts) against LEDGER_PG_URL, in schema `ledger` unless told otherwise.
import { readStackConfig } from '@ledger/runtime';
import { describeFailure } from '../failures.ts';
import { ensureDatabase } from '../localServices/postgres.ts';
import {
  defaultLedgerSchema,
  migrateDown,
  migrateLatest,
  migrationStatus,
  rollbackAll,
} from '../migrations/migrator.ts';

const usage = `usage: migrateCli.ts <up|down|status> [--schema name] [--all]
  up       apply every pending migration (creates the database and schema if missing)
  down     revert the latest migration (--all: every one)
  status   list applied and pending migrations`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  let schema = defaultLedgerSchema;
  let all = false;
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i];
    if (flag === '--schema' && rest[i + 1] !== undefined) schema = rest[++i] ?? schema;
    else if (flag === '--all') all = true;
    else {
      console.error(`unknown option ${flag}\n${usage}`);
      return 2;
    }
  }
  const config = readStackConfig();
  const connectionString = config.postgresUrl;
  const options = { connectionString, schema };
  switch (command) {
    case 'up': {
      const database = new URL(connectionString).pathname.replace(/^\//, '');
      if (database !== '' && (await ensureDatabase(config.postgresAdminUrl, database))) {
        console.log(`created database ${database}`);
      }
      const applied = await migrateLatest(options);
      console.log(
        applied.length === 0
          ? `schema ${schema}: up to date`
          : `schema ${schema}: applied ${applied.join(', ')}`,
      );
      return 0;
    }
    case 'down': {
      const reverted = all ? await rollbackAll(options) : await migrateDown(options);
      console.log(
        reverted.length === 0
          ? `schema ${schema}: nothing to revert`
          : `schema ${schema}: reverted ${reverted.join(', ')}`,
      );
      return 0;
    }
    case 'status': {
      const status = await migrationStatus(options);
      console.log(
        `schema ${schema}: ${status.applied.length} applied, ${status.pending.length} pending`,
      );
      for (const name of status.applied) console.log(`  applied  ${name}`);
      for (const name of status.pending) console.log(`  pending  ${name}`);
      return 0;
    }
    case undefined:
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeFailure(error, 'migrations'));
    process.exit(1);
  },
);
