import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  createLedgerTestEnvironment,
  deleteTopic,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import {
  nextChainLink,
  type ChainLink,
  type LedgerEvent,
  type TransferPosted,
} from '@ledger/schemas';
import { accountChange, pendingTransfer, settlement } from '@ledger/testing/ledgerWorkload';
import { defaultAuditLimits } from '@ledger/auditor/auditLimits';
import { runAudit, type AuditRunResult } from '@ledger/auditor/auditRun';
import type { SignedSummary } from '@ledger/auditor/signedSummary';
import {
  command,
  openAccount,
  produceCommands,
  readRawMessages,
  transfer,
  writeCopy,
  type RawMessage,
} from './eventLogSupport.ts';
import { ledgerTotals } from './ledgerTotals.ts';

const repoRoot = join(import.meta.dirname, '..', '..');

// testing's builders (USD, as the command API builds them): holds, posts and voids, changes.
const hold = pendingTransfer;
const settle = settlement;
const change = accountChange;

// The auditor against the real Kafka and registry: a workload decided by the real ledger
// processor (in-process, own topics and schema), then copies of its events with one message
// altered, dropped or added. The auditor never sees Postgres; the test compares with it.
describe('auditor against the events of the real ledger processor', () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor | undefined;
  let original: RawMessage[][];
  const copies: string[] = [];

  before(async () => {
    env = await createLedgerTestEnvironment('auditor');
    processor = await startLedgerProcessor(readProcessorConfig(env.env()), env.logger, {
      port: 0,
      onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`),
    });
    let seed = 18;
    const random = (n: number) => (
      (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648),
      seed % n
    );
    const usd = Array.from({ length: 8 }, (_, i) => `acct-usd-${i}`);
    const eur = Array.from({ length: 4 }, (_, i) => `acct-eur-${i}`);
    const opens = [
      openAccount('fund-usd', 'USD', 1_000_000_000n),
      openAccount('fund-eur', 'EUR', 1_000_000_000n),
      ...usd.map((id) => openAccount(id, 'USD')),
      ...eur.map((id) => openAccount(id, 'EUR')),
    ];
    const moves = [
      openAccount('acct-usd-0', 'EUR'), // account_exists: an AccountOpenRejected event
      ...usd.map((id, i) => transfer(`f-usd-${i}`, 'fund-usd', id, BigInt(5_000 + i), 'USD')),
      ...eur.map((id, i) => transfer(`f-eur-${i}`, 'fund-eur', id, BigInt(7_000 + i), 'EUR')),
      ...Array.from({ length: 120 }, (_, i) => {
        const pool = i % 3 === 0 ? eur : usd;
        const from = pool[random(pool.length)] ?? '';
        const to = pool.filter((id) => id !== from)[random(pool.length - 1)] ?? '';
        // Some overdraw (insufficient_funds): TransferRejected events in the log.
        return transfer(
          `t-${i}`,
          from,
          to,
          BigInt(1 + random(4_000)),
          pool === eur ? 'EUR' : 'USD',
        );
      }),
    ];
    const decided = async () => {
      const result = await env.pool.query<{ n: string }>(
        'select count(*) as n from command_outcomes',
      );
      return Number(result.rows[0]?.n ?? 0);
    };
    await produceCommands(env.kafka, env.serde, env.topics.commands, opens);
    await waitUntil(async () => (await decided()) >= opens.length, 'accounts opened');
    await produceCommands(env.kafka, env.serde, env.topics.commands, moves);
    await waitUntil(
      async () => (await decided()) >= opens.length + moves.length,
      'every transfer decided',
    );
    // Reversals of decided funding transfers (keyed by the account that pays back): partial
    // ones that add up to the whole, and one past what is left (reversal_exceeds_transfer).
    const reversals = [
      ...usd
        .slice(0, 3)
        .map((id, i) => transfer(`r-usd-${i}`, id, 'fund-usd', 1_000n, 'USD', `f-usd-${i}`)),
      transfer('r-usd-0-rest', 'acct-usd-0', 'fund-usd', 4_000n, 'USD', 'f-usd-0'),
      transfer('r-usd-0-more', 'acct-usd-0', 'fund-usd', 1n, 'USD', 'f-usd-0'),
    ];
    await produceCommands(env.kafka, env.serde, env.topics.commands, reversals);
    let total = opens.length + moves.length + reversals.length; // one event per command
    await waitUntil(async () => (await decided()) >= total, 'the reversals decided');
    // Holds (one posted in part, one voided, one expired by the sweep, one left pending), then
    // account changes: a freeze
    // that refuses a transfer, a metadata update, a freeze and unfreeze, a close refused with money
    // on the account and one of an empty account, and a change after the close.
    const holds = [
      command(hold('h-post', 'acct-usd-1', 'acct-usd-2', 900n)),
      command(hold('h-void', 'acct-usd-3', 'acct-usd-4', 700n)),
      command(hold('h-open', 'acct-usd-5', 'acct-usd-6', 500n)),
      command(hold('h-expire', 'fund-usd', 'acct-usd-0', 300n, 1)),
      openAccount('spare-usd', 'USD'),
    ];
    await produceCommands(env.kafka, env.serde, env.topics.commands, holds);
    total += holds.length;
    await waitUntil(async () => (await decided()) >= total, 'the holds decided');
    const later = [
      command(settle('h-post', 'acct-usd-1', 'acct-usd-2', 'post', 600n)),
      command(settle('h-void', 'acct-usd-3', 'acct-usd-4', 'void')),
      command(change('acct-eur-3', 'freeze')),
      command(change('acct-usd-7', 'update_metadata', { metadata: { tier: 'gold' } })),
      command(change('acct-usd-6', 'freeze')),
      command(change('acct-usd-5', 'close')), // account_not_empty
      command(change('spare-usd', 'close')),
    ];
    await produceCommands(env.kafka, env.serde, env.topics.commands, later);
    total += later.length;
    await waitUntil(async () => (await decided()) >= total, 'the settlements and changes decided');
    const last = [
      transfer('t-frozen', 'acct-eur-3', 'acct-eur-0', 1n, 'EUR'), // account_closed
      command(change('acct-usd-6', 'unfreeze')),
      command(change('spare-usd', 'freeze')), // account_closed
    ];
    await produceCommands(env.kafka, env.serde, env.topics.commands, last);
    total += last.length;
    await waitUntil(async () => (await decided()) >= total, 'every command decided');
    total += 1; // the sweep's expiry of h-expire, a command (and event) of its own
    await waitUntil(async () => (await decided()) >= total, 'the hold expired');
    const admin = env.kafka.admin();
    await admin.connect();
    await waitUntil(async () => {
      const offsets = await admin.fetchTopicOffsets(env.topics.events);
      return offsets.reduce((sum, o) => sum + Number(o.high), 0) >= total;
    }, 'every event published');
    await admin.disconnect();
    await processor.stop();
    processor = undefined;
    original = await readRawMessages(env.kafka, env.topics.events);
  });

  after(async () => {
    await processor?.stop();
    for (const topic of copies) await deleteTopic(env.kafka, topic).catch(() => undefined);
    await env?.teardown();
  });

  const audit = (topic: string) =>
    runAudit({
      kafka: env.kafka,
      serde: env.serde,
      topic,
      limits: defaultAuditLimits,
      follow: false,
    });

  /** A copy of the events with `change` applied, audited. */
  async function auditCopy(
    name: string,
    change: (partitions: RawMessage[][]) => void,
  ): Promise<{ topic: string; result: AuditRunResult }> {
    const partitions = original.map((messages) => [...messages]);
    change(partitions);
    const topic = `${env.prefix}.events-${name}`;
    copies.push(topic);
    await writeCopy(env.kafka, topic, partitions);
    return { topic, result: await audit(topic) };
  }

  /** The first TransferPosted (partition, offset order) from an account that posts again later. */
  async function postingWithLaterDebit(): Promise<{ at: RawMessage; event: TransferPosted }> {
    for (const messages of original) {
      for (const at of messages) {
        const { payload } = await env.serde.decodeEvent(at.value);
        if (payload.type === 'TransferPosted' && payload.fromAccountId.startsWith('fund-')) {
          return { at, event: payload };
        }
      }
    }
    throw new Error('no funding transfer in the log');
  }

  it('given the log the processor wrote, when audited, then it passes with the totals Postgres holds', async () => {
    const result = await audit(env.topics.events);
    assert.ok(result.outcome === 'passed', JSON.stringify(result));
    const { totals } = result.summary;
    const query = async <R extends object>(sql: string) => (await env.pool.query<R>(sql)).rows;
    const accounts = await query<{ id: string; balance: string; version: string }>(
      'select id, balance::text, version::text from accounts order by id',
    );
    assert.equal(totals.accountsOpened, accounts.length);
    const posted = await query<{ currency: string; n: string; amount: string }>(
      `select currency, count(*)::text as n, sum(amount)::text as amount from transfers
        where status = 'posted' group by currency order by currency`,
    );
    assert.deepEqual(
      totals.postedByCurrency,
      Object.fromEntries(
        posted.map((r) => [r.currency, { transfers: Number(r.n), amount: r.amount }]),
      ),
    );
    const sums = await query<{ currency: string; sum: string }>(
      'select currency, sum(balance)::text as sum from accounts group by currency order by currency',
    );
    assert.deepEqual(
      totals.finalBalanceSumByCurrency,
      Object.fromEntries(sums.map((r) => [r.currency, r.sum])),
    );
    assert.deepEqual(totals.finalBalanceSumByCurrency, { EUR: '0', USD: '0' });
    const books = [...result.state.accounts].map(([id, book]) => ({
      id,
      balance: book.balance.toString(),
      version: String(book.version),
    }));
    assert.deepEqual(
      books.sort((a, b) => (a.id < b.id ? -1 : 1)),
      accounts,
    );
    assert.ok(
      (totals.eventsByType.TransferRejected ?? 0) > 0,
      'the workload overdrew some accounts',
    );
    assert.equal(totals.eventsByType.AccountOpenRejected, 1);
    const reversed = await query<{ posted: string; refused: string }>(
      `select count(*) filter (where status = 'posted')::text as posted,
              count(*) filter (where code = 'reversal_exceeds_transfer')::text as refused
         from transfers where reversal_of is not null`,
    );
    assert.deepEqual(reversed, [{ posted: '4', refused: '1' }], 'reversals were decided');
    // Holds, statuses and applied changes as Postgres has them.
    const ledger = await ledgerTotals(env.pool);
    assert.deepEqual(totals.pendingByCurrency, ledger.pendingByCurrency);
    assert.deepEqual(totals.pendingByCurrency, { USD: { transfers: 1, amount: '500' } });
    const settled = await query<{ action: string }>(
      'select action from pending_settlements order by action',
    );
    assert.deepEqual(
      settled.map((r) => r.action),
      ['expire', 'post', 'void'],
    );
    const held = await query<{ id: string; held: string }>(
      'select id, held::text from accounts where held <> 0 order by id',
    );
    assert.deepEqual(
      [...result.state.accounts]
        .filter(([, book]) => book.held !== 0n)
        .map(([id, book]) => ({ id, held: book.held.toString() })),
      held,
    );
    assert.deepEqual(totals.accountsByStatus, ledger.accountsByStatus);
    assert.deepEqual(totals.accountsByStatus, { open: 13, frozen: 1, closed: 1 });
    assert.deepEqual(totals.accountChanges, ledger.accountChanges);
    assert.equal(totals.eventsByType.AccountChangeRejected, 2);
    // Every event is linked: one chain per commands partition that decided anything, whose head
    // is the one the processor stored.
    assert.equal(result.summary.chains.unchainedEvents, 0);
    const heads = await query<{ chain: number; sequence: string; hash: string }>(
      `select chain, sequence::text as sequence, hash from event_chain_heads order by chain`,
    );
    assert.deepEqual(
      result.summary.chains.heads,
      Object.fromEntries(
        heads.map((h) => [String(h.chain), { sequence: Number(h.sequence), hash: h.hash }]),
      ),
    );
    const again = await audit(env.topics.events);
    assert.ok(again.outcome === 'passed');
    assert.equal(again.summary.eventsSha256, result.summary.eventsSha256, 'the digest is stable');
  });

  it('given npm run audit with a new key, when run and verified, then the summary is signed and verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    const keyFile = join(dir, 'audit.pem');
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'auditor/src/cli.ts', ...args], {
        cwd: repoRoot,
        env: env.env({ LEDGER_AUDIT_SIGNING_KEY_FILE: keyFile }),
      });
    await cli(['--new-key', keyFile]);
    const run = await cli(['--summary-out', join(dir, 'summary.json')]);
    const signed = JSON.parse(run.stdout) as SignedSummary;
    assert.equal(signed.signature?.algorithm, 'Ed25519');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), signed);
    const verified = await cli([
      '--verify-summary',
      join(dir, 'summary.json'),
      '--public-key',
      `${keyFile}.pub`,
    ]);
    assert.match(verified.stderr, /summary verifies/);
    const anchored = await cli([
      '--anchor',
      join(dir, 'summary.json'),
      '--public-key',
      `${keyFile}.pub`,
    ]);
    assert.match(anchored.stderr, /anchored to \d+ chain heads/);
    assert.match(anchored.stderr, /audit passed/);
  });

  it('given a copy with one leg off by one, when audited by the CLI, then it exits 1 naming that event', async () => {
    const { at, event } = await postingWithLaterDebit();
    const decoded = await env.serde.decodeEvent(at.value);
    // Linked again after the change, as a writer who knows the chain rule would: the chain
    // holds, the balances do not.
    const rewritten = await relinkedPartition(at.partition, (events) =>
      events.map((e) =>
        e.eventId === decoded.eventId
          ? {
              ...e,
              payload: {
                ...event,
                credit: { ...event.credit, balanceAfter: event.credit.balanceAfter + 1n },
              },
            }
          : e,
      ),
    );
    const { topic } = await auditCopy('off-by-one', (partitions) => {
      partitions[at.partition] = rewritten;
    });
    const failed = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'auditor/src/cli.ts', '--topic', topic],
      {
        cwd: repoRoot,
        env: env.env(),
      },
    ).then(
      () => assert.fail('the audit passed'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /audit violation: balance_mismatch/);
    assert.match(failed.stderr, new RegExp(`partition ${at.partition} offset ${at.offset}\\n`));
    assert.match(failed.stderr, new RegExp(`id: +${decoded.eventId} \\(TransferPosted\\)`));
    assert.doesNotMatch(failed.stderr, new RegExp(event.toAccountId), 'account ids are masked');
  });

  it('given a copy with one posting dropped, when audited, then version_gap names the next leg of its accounts', async () => {
    const { at, event } = await postingWithLaterDebit();
    const { result } = await auditCopy('dropped', (partitions) => {
      partitions[at.partition]!.splice(Number(at.offset), 1);
    });
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'version_gap');
    assert.match(result.violation.expected, /^version \d+ after version \d+$/);
    assert.ok([event.fromAccountId, event.toAccountId].includes(result.violation.accountId ?? ''));
  });

  it('given a copy with a byte of one message flipped, when audited, then undecodable names it', async () => {
    const at = original.find((messages) => messages.length >= 3)?.[2];
    assert.ok(at !== undefined);
    const { topic, result } = await auditCopy('flipped', (partitions) => {
      const value = Buffer.from(at.value);
      value[0] = 0xff; // the magic byte
      partitions[at.partition]![2] = { ...at, value };
    });
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'undecodable');
    assert.deepEqual(result.violation.event, {
      topic,
      partition: at.partition,
      offset: '2',
      eventId: '?',
      eventType: 'undecodable',
    });
  });

  /**
   * One partition of the original log with `edit` applied to its events and every link made
   * again from the chain's start (the partition is the chain: as many events partitions as
   * commands partitions), renumbered from offset 0 (keys are not audited: one for all).
   */
  async function relinkedPartition(
    partition: number,
    edit: (events: LedgerEvent[]) => LedgerEvent[],
  ): Promise<RawMessage[]> {
    const messages = original[partition]!;
    const events = await Promise.all(messages.map((m) => env.serde.decodeEvent(m.value)));
    let head: ChainLink | undefined;
    return edit(events).map((event, index) => {
      const { chain: _old, ...content } = event;
      head = nextChainLink(partition, head, content);
      const value = env.serde.encodeEvent({ ...content, chain: head });
      return { partition, offset: String(index), key: messages[0]?.key ?? null, value };
    });
  }

  /** The first TransferRejected of the log: an event that moves no balance. */
  async function firstRejection(): Promise<RawMessage> {
    for (const messages of original) {
      for (const at of messages) {
        if ((await env.serde.decodeEvent(at.value)).payload.type === 'TransferRejected') return at;
      }
    }
    throw new Error('no rejection in the log');
  }

  it('given a copy with a rejection changed after it was linked, when audited, then chain_hash_mismatch names it', async () => {
    const at = await firstRejection();
    const decoded = await env.serde.decodeEvent(at.value);
    assert.ok(decoded.payload.type === 'TransferRejected');
    const changed = env.serde.encodeEvent({
      ...decoded,
      // Another code than it has (the log's first rejection may be the frozen account's).
      payload: {
        ...decoded.payload,
        code: decoded.payload.code === 'account_closed' ? 'currency_mismatch' : 'account_closed',
      },
    });
    const { result } = await auditCopy('rejection-changed', (partitions) => {
      partitions[at.partition]![Number(at.offset)] = { ...at, value: changed };
    });
    assert.ok(result.outcome === 'violation', JSON.stringify(result));
    assert.equal(result.violation.kind, 'chain_hash_mismatch');
    assert.equal(result.violation.event?.eventId, decoded.eventId);
  });

  it('given a copy without one rejection, when audited, then chain_gap names the event after it; relinked, it passes alone but not against the signed heads', async () => {
    const at = await firstRejection();
    const { result: dropped } = await auditCopy('rejection-dropped', (partitions) => {
      partitions[at.partition]!.splice(Number(at.offset), 1);
    });
    assert.ok(dropped.outcome === 'violation', JSON.stringify(dropped));
    assert.equal(dropped.violation.kind, 'chain_gap');

    // A writer who drops it and links every later event of the chain again.
    const relinked = await relinkedPartition(at.partition, (events) =>
      events.filter((_event, index) => index !== Number(at.offset)),
    );
    const rewritten = await auditCopy('rejection-relinked', (partitions) => {
      partitions[at.partition] = relinked;
    });
    assert.ok(rewritten.result.outcome === 'passed', JSON.stringify(rewritten.result));
    const signedHeads = await audit(env.topics.events);
    assert.ok(signedHeads.outcome === 'passed');
    const anchored = await runAudit({
      kafka: env.kafka,
      serde: env.serde,
      topic: rewritten.topic,
      limits: defaultAuditLimits,
      follow: false,
      anchors: new Map(
        Object.entries(signedHeads.summary.chains.heads).map(([chain, h]) => [Number(chain), h]),
      ),
    });
    assert.ok(anchored.outcome === 'violation', JSON.stringify(anchored));
    assert.equal(anchored.violation.kind, 'chain_anchor_mismatch');
  });

  it('given a republished identical duplicate, or a changed event under a used id, when audited, then the first passes and the second is event_id_reused', async () => {
    const at = original.find((messages) => messages.length > 0)?.[0];
    assert.ok(at !== undefined);
    const identical = await auditCopy('republished', (partitions) => {
      partitions[at.partition]!.push(at);
    });
    assert.ok(identical.result.outcome === 'passed', JSON.stringify(identical.result));
    assert.equal(identical.result.summary.totals.identicalDuplicates, 1);

    const decoded = await env.serde.decodeEvent(at.value);
    const changed = env.serde.encodeEvent({ ...decoded, occurredAt: decoded.occurredAt + 1 });
    const reused = await auditCopy('reused-id', (partitions) => {
      partitions[at.partition]!.push({ ...at, value: changed });
    });
    assert.ok(reused.result.outcome === 'violation', JSON.stringify(reused.result));
    assert.equal(reused.result.violation.kind, 'event_id_reused');
    assert.equal(reused.result.violation.event?.offset, String(original[at.partition]!.length));
  });
});
