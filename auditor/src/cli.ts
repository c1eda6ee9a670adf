// `npm run audit -- [options]`: proves the ledger's invariants from the events topic alone (see
// auditor/README.md). Exit codes: 0 passed (or a summary verified), 1 a violation (or a summary
// that does not verify), 2 bad usage or configuration, 3 the run could not finish (a limit,
// Kafka or the registry); nothing of the log is proven wrong then.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectLedgerSerde } from '@ledger/schemas';
import {
  createKafkaClient,
  createLogger,
  readStackConfig,
  stringFromEnv,
  topicNames,
} from '@ledger/runtime';
import type { KeyObject } from 'node:crypto';
import { readAuditLimits } from './auditLimits.ts';
import { createAuditMetrics, serveAuditMetrics } from './auditMetrics.ts';
import { runAudit } from './auditRun.ts';
import type { ChainAnchor } from './auditState.ts';
import {
  readSigningKey,
  signSummary,
  verifySummary,
  writeNewKey,
  type SignedSummary,
} from './signedSummary.ts';
import { formatViolation } from './violationReport.ts';

const usage = `usage:
  npm run audit -- [--follow] [--topic <topic>] [--metrics-port <port>] [--summary-out <file>]
                   [--anchor <earlier summary> --public-key <file>]
  npm run audit -- --new-key <file>
  npm run audit -- --verify-summary <file> --public-key <file>
env: LEDGER_TOPIC_PREFIX, LEDGER_KAFKA_BROKERS, LEDGER_REGISTRY_URL, LEDGER_AUDIT_SIGNING_KEY_FILE,
     LEDGER_AUDIT_*_MAX, LEDGER_AUDIT_GAP_WAIT_MS (see auditor/README.md)`;

const say = (line: string) => process.stderr.write(`${line}\n`);

class UsageError extends Error {}

/** Until the configuration is read, a failure is the caller's (exit 2); after it, the run's (3). */
let configured = false;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      follow: { type: 'boolean', default: false },
      topic: { type: 'string' },
      'metrics-port': { type: 'string' },
      'summary-out': { type: 'string' },
      'new-key': { type: 'string' },
      'verify-summary': { type: 'string' },
      'public-key': { type: 'string' },
      anchor: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (values['new-key'] !== undefined) {
    const { publicKeyFile, keyId } = writeNewKey(values['new-key']);
    say(`wrote ${values['new-key']} (mode 600) and ${publicKeyFile}; key id ${keyId}`);
    return 0;
  }
  if (values['verify-summary'] !== undefined) {
    if (values['public-key'] === undefined)
      throw new UsageError('--verify-summary needs --public-key');
    const signed = JSON.parse(readFileSync(values['verify-summary'], 'utf8')) as SignedSummary;
    const problems = verifySummary(signed, readFileSync(values['public-key']));
    for (const problem of problems) say(`summary does not verify: ${problem}`);
    if (problems.length === 0) {
      say(
        `summary verifies: key ${signed.signature?.keyId}, events ${signed.summary.eventsSha256}`,
      );
    }
    return problems.length === 0 ? 0 : 1;
  }
  const metricsPort =
    values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (
    metricsPort !== undefined &&
    !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65_535)
  ) {
    throw new UsageError(`--metrics-port ${values['metrics-port']} is not a port`);
  }
  // Everything that can be wrong with the configuration fails here, before anything is read.
  const anchors =
    values.anchor === undefined ? undefined : readAnchors(values.anchor, values['public-key']);
  const limits = readAuditLimits();
  const stack = readStackConfig();
  const keyFile = stringFromEnv(process.env, 'LEDGER_AUDIT_SIGNING_KEY_FILE', '');
  let signingKey: KeyObject | undefined;
  if (keyFile === '')
    say('warning: LEDGER_AUDIT_SIGNING_KEY_FILE is not set: the summary will be unsigned');
  else signingKey = readSigningKey(keyFile);
  const topics = topicNames(stack.topicPrefix);
  const topic = values.topic ?? topics.events;
  configured = true;

  const logger = createLogger({
    level: 'warn',
    write: (line) => process.stderr.write(`${line}\n`),
  });
  const kafka = createKafkaClient({
    clientId: 'ledger-auditor',
    brokers: stack.kafkaBrokers,
    logger,
  });
  const serde = await connectLedgerSerde({ registryUrl: stack.registryUrl, topics, logger });
  const metrics = metricsPort === undefined ? undefined : createAuditMetrics();
  const server =
    metrics && metricsPort !== undefined
      ? await serveAuditMetrics(metrics, metricsPort)
      : undefined;
  if (server) say(`audit: metrics on http://127.0.0.1:${server.port}/metrics`);

  const stop = new AbortController();
  const onSignal = () => {
    // A bounded run has no summary before its end: stopping it proves nothing, so it just quits.
    if (stop.signal.aborted || !values.follow) process.exit(130);
    say('audit: stopping; legs in flight get their wait, a second signal quits at once');
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  say(`audit: reading ${topic} from the beginning${values.follow ? ', following' : ''}`);
  try {
    const result = await runAudit({
      kafka,
      serde,
      topic,
      limits,
      follow: values.follow,
      ...(anchors === undefined ? {} : { anchors }),
      stop: stop.signal,
      progress: say,
      ...(metrics === undefined ? {} : { metrics }),
    });
    if (result.outcome === 'violation') {
      say(formatViolation(result.violation));
      return 1;
    }
    if (result.outcome === 'incomplete') {
      say(`audit incomplete (nothing proven wrong): ${result.reason}`);
      return 3;
    }
    const signed = signSummary(result.summary, signingKey);
    const text = `${JSON.stringify(signed, null, 2)}\n`;
    if (values['summary-out'] !== undefined) writeFileSync(values['summary-out'], text);
    process.stdout.write(text);
    say(
      `audit passed: ${result.summary.messagesRead} events, sha256 ${result.summary.eventsSha256}`,
    );
    return 0;
  } finally {
    await server?.close();
  }
}

/**
 * The chain heads of an earlier summary, trusted only once its signature verifies with a public
 * key the caller names: an anchor the log itself could forge would prove nothing.
 */
function readAnchors(file: string, publicKeyFile: string | undefined): Map<number, ChainAnchor> {
  if (publicKeyFile === undefined) throw new UsageError('--anchor needs --public-key');
  const signed = JSON.parse(readFileSync(file, 'utf8')) as SignedSummary;
  const problems = verifySummary(signed, readFileSync(publicKeyFile));
  if (problems.length > 0) throw new UsageError(`--anchor ${file}: ${problems.join('; ')}`);
  const anchors = new Map<number, ChainAnchor>();
  for (const [chain, head] of Object.entries(signed.summary.chains.heads)) {
    anchors.set(Number(chain), head);
  }
  say(`audit: anchored to ${anchors.size} chain heads of ${signed.summary.finishedAt}`);
  return anchors;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    const usageProblem =
      error instanceof UsageError ||
      (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    say(error instanceof Error ? error.message : String(error));
    if (usageProblem) say(usage);
    process.exit(configured ? 3 : 2);
  },
);
