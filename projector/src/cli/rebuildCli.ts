import { createLogger } from '@ledger/runtime';
import { readProjectorConfig } from '../config.ts';
import { rebuildReadModels, type RebuildProgress } from '../rebuild/rebuildReadModels.ts';

// `npm run rebuild -w @ledger/projector [-- --no-swap]`, or
// `node scripts/run.mjs projector/src/cli/rebuildCli.ts [--no-swap]`: replays ledger.events from
// the beginning into fresh read-model tables and swaps them in (see rebuildReadModels.ts). The
// same LEDGER_* environment as the projector picks the topics, schema and consumer group.
const usage = `usage: rebuildCli.ts [--no-swap]
  --no-swap   build account_view_rebuild, account_history_rebuild, transfer_view_rebuild and
              stop there (to compare with the live tables); nothing live changes`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.some((arg) => arg !== '--no-swap')) {
  console.error(usage);
  process.exit(args.includes('--help') ? 0 : 2);
}
const swap = !args.includes('--no-swap');
const config = readProjectorConfig();
// Logs go to stderr as JSON; stdout carries the progress lines a person reads.
const logger = createLogger({
  level: config.logLevel,
  bindings: { service: 'projector-rebuild' },
  write: (line) => process.stderr.write(line + '\n'),
});

function show(progress: RebuildProgress): void {
  console.log(
    `${progress.phase}: ${progress.events} events applied, ${progress.eventsPerSecond} events/s, ` +
      `partitions done ${progress.partitionsDone}/${progress.partitions}`,
  );
}

try {
  console.log(
    `rebuilding the read models of schema ${config.postgresSchema} from ` +
      `${config.stack.topicPrefix}.events (${swap ? 'then swapping them in' : 'no swap'})`,
  );
  const report = await rebuildReadModels({ config, logger, swap, onProgress: show });
  const offsets = [...report.offsets]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `${partition}:${offset}`)
    .join(' ');
  console.log(
    `done in ${(report.durationMs / 1000).toFixed(1)} s: ${report.events} events into ` +
      `${report.tables.accountView}, ${report.tables.accountHistory}, ${report.tables.transferView}` +
      `${report.swapped ? ' (swapped in)' : ''}; offsets ${offsets}`,
  );
} catch (error) {
  console.error(`rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
