// `node scripts/run.mjs bench/src/probes/processorCost.ts [--transfers N] [--accounts N]`
//
// What one applied transfer costs the write path's own processes — the ledger processor, the
// Postgres backends it drives and the Kafka broker — in CPU microseconds read from /proc, with
// no HTTP, load generator or other service in the window. The commands are produced to a
// private topic set BEFORE the processor starts, so it consumes a backlog as fast as it can:
// the figure is the cost per transfer at full batches, and transfers/s its ceiling here.
//
// CPU per transfer moves little with the machine's noise (unlike transfers/s), so two versions
// of the processor are compared by running this file from each checkout in turn, interleaved.
// Needs the dependencies up (`npm run stack -- up --deps-only`, or a full stack: the probe uses
// its own topics, registry subjects and Postgres schema, and removes them).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createLedgerProducer } from '@ledger/runtime';
import { createLedgerTestEnvironment, waitUntil } from '@ledger/testing';
import { requestHashOf, type LedgerCommand } from '@ledger/schemas';
import { seededRandom } from '../load/workload.ts';
import { diffSnapshots, microsPerTransfer, takeMachineSnapshot } from '../metrics/machineCpu.ts';

/** Bounds: the probe refuses anything bigger (it is a probe, not a soak). */
const transfersMax = 500_000;
const accountsMax = 100_000;
const producePerSend = 1_000;
const partitions = 12;
const drainTimeoutMs = 300_000;

interface Args {
  readonly transfers: number;
  readonly accounts: number;
  readonly seed: number;
  /** Where the processor writes a V8 CPU profile (--cpu-prof-dir), if asked. */
  readonly cpuProfileDir: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  let transfers = 50_000;
  let accounts = 10_000;
  let seed = 1;
  let cpuProfileDir: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--cpu-prof') cpuProfileDir = argv[i + 1];
    else if (argv[i] === '--transfers') transfers = value;
    else if (argv[i] === '--accounts') accounts = value;
    else if (argv[i] === '--seed') seed = value;
    else throw new Error(`unknown option ${argv[i]}`);
    i += 1;
  }
  if (!Number.isInteger(transfers) || transfers < 1 || transfers > transfersMax)
    throw new Error(`--transfers must be in [1, ${transfersMax}]`);
  if (!Number.isInteger(accounts) || accounts < 2 || accounts > accountsMax)
    throw new Error(`--accounts must be in [2, ${accountsMax}]`);
  return { transfers, accounts, seed, cpuProfileDir };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // The stack's layout in a slice of its own: topics, registry subjects and schema, removed after.
  const env = await createLedgerTestEnvironment('processor-cost', { partitions });
  const { topics, serde, pool, kafka, prefix } = env;
  const admin = kafka.admin();
  await admin.connect();
  let processor: ChildProcess | undefined;
  try {
    const producer = createLedgerProducer(kafka);
    await producer.connect();
    const accountId = (index: number) => `p-${index}`;
    const commands: { key: string; value: Buffer }[] = [];
    const command = (payload: LedgerCommand['payload'], key: string) => {
      const body: LedgerCommand = {
        commandId: randomUUID(),
        idempotencyKey: payload.type === 'OpenAccount' ? payload.accountId : randomUUID(),
        requestHash: requestHashOf(payload),
        receivedAt: Date.now(),
        traceparent: null,
        payload,
      };
      commands.push({ key, value: serde.encodeCommand(body) });
    };
    for (let index = 0; index < args.accounts; index += 1) {
      const payload = {
        type: 'OpenAccount' as const,
        accountId: accountId(index),
        currency: 'USD',
        overdraftLimit: 1_000_000_000_000n,
        metadata: {},
      };
      command(payload, payload.accountId);
    }
    const next = seededRandom(args.seed);
    for (let index = 0; index < args.transfers; index += 1) {
      const from = Math.floor(next() * args.accounts);
      let to = Math.floor(next() * (args.accounts - 1));
      if (to >= from) to += 1;
      const payload = {
        type: 'Transfer' as const,
        transferId: `t-${index}`,
        fromAccountId: accountId(from),
        toAccountId: accountId(to),
        amount: BigInt(1 + Math.floor(next() * 10_000)),
        currency: 'USD',
        metadata: {},
      };
      command(payload, payload.fromAccountId);
    }
    for (let start = 0; start < commands.length; start += producePerSend) {
      await producer.send({
        topic: topics.commands,
        acks: -1,
        messages: commands.slice(start, start + producePerSend),
      });
    }
    await producer.disconnect();
    console.log(`produced ${args.accounts} opens + ${args.transfers} transfers to ${prefix}`);

    const profile =
      args.cpuProfileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${args.cpuProfileDir}`];
    const entry = ['--import', 'tsx', 'ledger-processor/src/main.ts'];
    processor = spawn(process.execPath, [...profile, ...entry], {
      env: env.env({ LEDGER_PROCESSOR_PORT: '0', LEDGER_LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The window opens when it starts consuming: its start-up (tsx compiling) is not the cost.
    const child = processor;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"msg":"consuming"')) resolve();
        if (output.length > 100_000) output = output.slice(-10_000);
      });
      child.once('exit', (code) => reject(new Error(`processor exited ${code}: ${output}`)));
    });
    const before = await takeMachineSnapshot();
    const startedAt = performance.now();
    const total = args.accounts + args.transfers;
    let lastPrint = 0;
    await waitUntil(
      async () => {
        const { rows } = await pool.query<{ n: string }>(
          `select (select coalesce(sum(next_offset), 0) from consumer_offsets)::text as n`,
        );
        const done = Number(rows[0]?.n ?? 0);
        if (performance.now() - lastPrint > 5_000) {
          lastPrint = performance.now();
          console.log(`  consumed ${done}/${total}`);
        }
        if (done < total) return false;
        // Every command adds one event: the window closes when all of them are published.
        const ends = await admin.fetchTopicOffsets(topics.events);
        return ends.reduce((sum, end) => sum + Number(end.high), 0) >= total;
      },
      'the processor to consume the backlog and publish its events',
      drainTimeoutMs,
      100,
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const after = await takeMachineSnapshot();
    if (before === undefined || after === undefined) throw new Error('/proc cannot be read here');
    const window = diffSnapshots(before, after);
    const micros = (group: string) => {
      const seconds = window.groups.find((entry) => entry.group === group)?.seconds ?? 0;
      return Math.round((microsPerTransfer(seconds, total) ?? 0) * 10) / 10;
    };
    const counted = ['ledger-processor', 'postgres', 'kafka', 'redis'];
    console.log(
      JSON.stringify({
        commands: total,
        seconds: Number(seconds.toFixed(2)),
        commandsPerSecond: Math.round(total / seconds),
        cpuMicrosPerCommand: {
          ...Object.fromEntries(counted.map((group) => [group, micros(group)])),
          total: Math.round(counted.reduce((sum, group) => sum + micros(group), 0) * 10) / 10,
        },
      }),
    );
  } finally {
    if (processor !== undefined && processor.exitCode === null) {
      const exited = once(processor, 'exit');
      processor.kill('SIGTERM');
      await exited;
    }
    await admin.disconnect();
    await env.teardown();
  }
}

await main();
