import type { AddressInfo } from 'node:net';
import {
  createKafkaClient,
  createLogger,
  pinTickObjectShape,
  readStackConfig,
  topicNames,
} from '@ledger/runtime';
import { createBareServer } from '../baselines/bareServer.ts';
import { runWrkReads, wrkAvailable } from '../load/wrkRun.ts';

/**
 * A probe, not a scenario: what consuming a Kafka topic does to an HTTP server in the same Node
 * process. It answers the question behind "cached reads vs bare" (bench/README.md): the bare
 * constant server of the read scenarios, started in THIS process, is measured with wrk, then a
 * kafkajs consumer replays `ledger.balances` from the beginning here (as a query-api instance
 * did at start-up before its feed began at the log's head, and does at a slower pace all its
 * life), and the same server is measured again while that consumer stays in its group, idle, as
 * query-api's does.
 *
 *   node scripts/run.mjs bench/src/probes/replayedProcessReads.ts [--replay-first] [--pin]
 *   (needs the stack and wrk)
 *
 * Measured 2026-11-22 after a full bench (3.5M messages on the topic): a server that served
 * before the replay keeps its speed (0.97×); a server whose first requests come after the replay
 * (`--replay-first`) does ~47k req/s against ~63k. `perf` shows every `process.nextTick` then
 * defining its tick object through V8's runtime (Runtime_DefineKeyedOwnPropertyInLiteral, ~12%
 * of the process's CPU). The cause, found later that day: a full GC while no tick object is
 * alive frees the tick objects' shapes and nextTick's feedback goes megamorphic for good (see
 * @ledger/runtime tickObjectPin.ts). `--pin` pins a tick object first, as every service's
 * runService does. Two pairs of runs after that (1.96M messages): 34.7k unpinned vs 44.9k
 * pinned, then 37.5k vs 36.7k; whether a replay flips the feedback depends on a full GC landing
 * while no tick object is alive. The deterministic check is one forced full GC (the inspector's
 * HeapProfiler.collectGarbage): it flips an unpinned process at once and leaves a pinned one
 * monomorphic.
 */
const replayFirst = process.argv.includes('--replay-first');
if (process.argv.includes('--pin')) pinTickObjectShape();
const readSeconds = 10;
const connections = 100;
const progressEveryMs = 2_000;

async function measure(url: string, name: string): Promise<number> {
  const result = await runWrkReads({
    name,
    url,
    connections,
    durationSeconds: readSeconds,
    accountPrefix: 'probe-',
    accounts: 1_000,
    seed: 1,
  });
  console.log(`  ${name}: ${Math.round(result.requestsPerSecond)} req/s`);
  return result.requestsPerSecond;
}

/** Replays the topic, then runs `whileConsuming` with the consumer still in its group. */
async function replayBalances<T>(whileConsuming: (replayed: number) => Promise<T>): Promise<T> {
  const stack = readStackConfig();
  const logger = createLogger({ level: 'warn' });
  const kafka = createKafkaClient({ clientId: 'probe', brokers: stack.kafkaBrokers, logger });
  const topic = topicNames(stack.topicPrefix).balances;
  const admin = kafka.admin();
  await admin.connect();
  // Compaction leaves holes in the offsets: a partition is done when it reached its end offset.
  const ends = await admin.fetchTopicOffsets(topic);
  const pending = new Map(
    ends.filter((end) => end.high !== end.low).map((end) => [end.partition, Number(end.high)]),
  );
  const groupId = `probe-replay-${process.pid}`;
  const consumer = kafka.consumer({ groupId });
  let consumed = 0;
  const progress = setInterval(
    () => console.log(`  replayed ${consumed}, ${pending.size} partitions to go`),
    progressEveryMs,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            consumed += batch.messages.length;
            const end = pending.get(batch.partition);
            if (end !== undefined && Number(batch.lastOffset()) + 1 >= end) {
              pending.delete(batch.partition);
            }
            if (pending.size === 0) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
      if (pending.size === 0) resolve();
    });
    clearInterval(progress);
    return await whileConsuming(consumed);
  } finally {
    clearInterval(progress);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

if (!wrkAvailable()) {
  console.error(
    'wrk not found (Debian: apt-get install -y wrk); this probe needs a client outside the process',
  );
  process.exit(1);
}
const server = createBareServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  if (replayFirst) {
    await replayBalances((replayed) =>
      measure(url, `bare server, first requests after replaying ${replayed} messages`),
    );
  } else {
    const before = await measure(url, 'bare server, fresh process');
    const after = await replayBalances((replayed) =>
      measure(url, `bare server, warmed before replaying ${replayed} messages`),
    );
    console.log(`  after / before: ${(after / before).toFixed(2)}×`);
  }
} finally {
  server.close();
}
