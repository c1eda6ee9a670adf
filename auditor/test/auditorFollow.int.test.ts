import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  deleteTopic,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { createLedgerProducer } from '@ledger/runtime';
import { defaultAuditLimits } from '../src/auditLimits.ts';
import { createAuditMetrics, serveAuditMetrics } from '../src/auditMetrics.ts';
import { runAudit } from '../src/auditRun.ts';
import type { AuditInput } from '../src/auditState.ts';
import { handBuiltLog } from './handBuiltLog.ts';

// --follow against the real Kafka and registry, with events written through the serde into
// topics of this test: a live event is checked as it arrives, metrics are served, a stop ends
// the run with a summary, and a version or a chain link that never comes is a gap once the wait
// has passed.
describe('auditor --follow', () => {
  let env: LedgerTestEnvironment;
  const extraTopics: string[] = [];

  before(async () => {
    env = await createLedgerTestEnvironment('auditor_follow');
  });

  after(async () => {
    for (const topic of extraTopics) await deleteTopic(env.kafka, topic).catch(() => undefined);
    await env?.teardown();
  });

  async function produce(topic: string, inputs: readonly AuditInput[]): Promise<void> {
    const producer = createLedgerProducer(env.kafka);
    await producer.connect();
    try {
      for (const input of inputs) {
        await producer.send({
          topic,
          acks: -1,
          messages: [
            { partition: input.position.partition, value: env.serde.encodeEvent(input.event) },
          ],
        });
      }
    } finally {
      await producer.disconnect();
    }
  }

  function sampleLog() {
    const log = handBuiltLog();
    log.open('funding', { overdraft: 1_000_000n });
    log.open('alice', { partition: 1 });
    log.open('bob', { partition: 2 });
    log.post('t-1', 'funding', 'alice', 500n);
    log.post('t-2', 'alice', 'bob', 200n);
    log.post('t-3', 'funding', 'bob', 50n);
    return log;
  }

  it('given a live log, when followed and stopped, then each new event is checked, metrics show it, and the summary is signed off', async () => {
    const log = sampleLog();
    await produce(env.topics.events, log.inputs);
    const metrics = createAuditMetrics();
    const server = await serveAuditMetrics(metrics, 0);
    const stop = new AbortController();
    const checked = async () => {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      return [...text.matchAll(/^ledger_audit_events_checked_total\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    };
    try {
      const running = runAudit({
        kafka: env.kafka,
        serde: env.serde,
        topic: env.topics.events,
        limits: defaultAuditLimits,
        follow: true,
        stop: stop.signal,
        metrics,
      });
      await waitUntil(async () => (await checked()) === log.inputs.length, 'the log checked');
      log.post('t-4', 'bob', 'alice', 25n); // written while the auditor follows
      await produce(env.topics.events, log.inputs.slice(-1));
      await waitUntil(
        async () => (await checked()) === log.inputs.length,
        'the live event checked',
      );
      await waitUntil(async () => {
        const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
        return /^ledger_audit_lag_messages\{partition="2"[^}]*\} 0$/m.test(text);
      }, 'lag 0 reported');
      stop.abort();
      const result = await running;
      assert.ok(result.outcome === 'passed', JSON.stringify(result));
      assert.equal(result.summary.mode, 'follow');
      assert.equal(result.summary.messagesRead, 7);
      assert.deepEqual(result.summary.totals.postedByCurrency, {
        USD: { transfers: 4, amount: '775' },
      });
      assert.equal(result.state.accounts.get('alice')?.balance, log.balanceOf('alice'));
    } finally {
      await server.close();
    }
  });

  it('given a followed log missing a version, when the gap wait passes, then version_gap is reported without a stop', async () => {
    const log = sampleLog();
    const topic = `${env.prefix}.events-gap`;
    extraTopics.push(topic);
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    });
    await admin.disconnect();
    await produce(
      topic,
      log.inputs.filter((input) => input.event.eventId !== 'evt-5'), // t-2: alice v3, bob v2
    );
    const startedAt = Date.now();
    const result = await runAudit({
      kafka: env.kafka,
      serde: env.serde,
      topic,
      limits: { ...defaultAuditLimits, gapWaitMs: 1_000 },
      follow: true,
    });
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'version_gap');
    assert.equal(result.violation.event?.eventId, 'evt-6'); // bob's t-3 credit waits for v2
    assert.ok(Date.now() - startedAt >= 1_000, 'not before the wait');
  });

  it('given a followed chained log missing an event that moved nothing, when the gap wait passes, then chain_gap is reported without a stop', async () => {
    const log = handBuiltLog('audit-test.events', { chained: true });
    log.open('funding', { overdraft: 1_000_000n });
    log.open('alice');
    log.post('t-1', 'funding', 'alice', 500n);
    const dropped = log.reject('t-2', 'alice', 'funding', 9_999n); // no version moves
    const after = log.post('t-3', 'alice', 'funding', 20n);
    const topic = `${env.prefix}.events-chain-gap`;
    extraTopics.push(topic);
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    });
    await admin.disconnect();
    await produce(
      topic,
      log.inputs.filter((input) => input !== dropped),
    );
    const startedAt = Date.now();
    const result = await runAudit({
      kafka: env.kafka,
      serde: env.serde,
      topic,
      limits: { ...defaultAuditLimits, gapWaitMs: 1_000 },
      follow: true,
    });
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'chain_gap');
    assert.equal(result.violation.event?.eventId, after.event.eventId);
    assert.ok(Date.now() - startedAt >= 1_000, 'not before the wait');
  });
});
