import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@ledger/runtime';
import type { Producer } from 'kafkajs';
import type pg from 'pg';
import { Counter, Registry } from 'prom-client';
import type { BalanceChanged, LedgerEvent } from '@ledger/schemas';
import { balanceChangesOf } from '../src/balanceMessages.ts';
import type { OutboxRow } from '../src/ledgerStore.ts';
import { advancePublishedPositionSql, unpublishedRowsSql } from '../src/outboxPosition.ts';
import {
  OutboxRelayFailure,
  createOutboxRelay,
  outboxDrainBatchMax,
  outboxPublishBytesMax,
  outboxPublishRowsMax,
  publishChunks,
} from '../src/outboxRelay.ts';

function row(id: number, valueBytes: number): OutboxRow {
  return {
    id: String(id),
    commandPartition: 0,
    topic: 'ledger.events',
    key: `acc-${id}`,
    eventId: `evt-${id}`,
    eventType: 'TransferPosted',
    headers: {},
    value: Buffer.alloc(valueBytes),
  };
}

describe('outbox publish chunks', () => {
  it('given more rows than one request may carry, when chunked, then every chunk is within the row bound and the order is kept', () => {
    const rows = Array.from({ length: outboxPublishRowsMax * 2 + 5 }, (_, index) =>
      row(index, 100),
    );
    const chunks = publishChunks(rows);
    assert.deepEqual(
      chunks.map((chunk) => chunk.length),
      [outboxPublishRowsMax, outboxPublishRowsMax, 5],
    );
    assert.deepEqual(chunks.flat(), rows);
  });

  it('given large rows, when chunked, then no chunk exceeds the byte bound', () => {
    const rows = Array.from({ length: 50 }, (_, index) => row(index, 60_000));
    const chunks = publishChunks(rows);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, entry) => sum + entry.value.length, 0);
      assert.ok(bytes <= outboxPublishBytesMax, `chunk of ${bytes} bytes`);
    }
    assert.deepEqual(chunks.flat(), rows);
  });

  it('given one row larger than the byte bound, when chunked, then it travels alone rather than being dropped', () => {
    const chunks = publishChunks([row(1, 10), row(2, outboxPublishBytesMax + 1), row(3, 10)]);
    assert.deepEqual(
      chunks.map((chunk) => chunk.map((entry) => entry.id)),
      [['1'], ['2'], ['3']],
    );
  });
});

/** A pool that answers the relay's two statements from a script and records what it ran. */
function fakePool(
  script: {
    drainReads?: OutboxRow[][];
    gaps?: boolean[];
    newer?: Record<string, unknown>[][];
    /** What the ledger answers for a drained AccountChanged's version, one row per read. */
    changed?: Record<string, unknown>[];
  } = {},
) {
  const changed = [...(script.changed ?? [])];
  const newer = [...(script.newer ?? [])];
  const drainReads = [...(script.drainReads ?? [])];
  const gaps = [...(script.gaps ?? [])];
  const ran: { statement: 'advance' | 'read' | 'changed'; params: unknown[] }[] = [];
  const pool = {
    query: (sql: string, params: unknown[]) => {
      if (sql === advancePublishedPositionSql) {
        ran.push({ statement: 'advance', params });
        return Promise.resolve({ rows: [{ gap: gaps.shift() ?? false }] });
      }
      // The balance catch-up's re-read: nobody else moved these accounts.
      if (sql.includes('join accounts a')) return Promise.resolve({ rows: newer.shift() ?? [] });
      // A drained AccountChanged's balance at its version.
      if (sql.includes('p.version = $2')) {
        ran.push({ statement: 'changed', params });
        return Promise.resolve({ rows: [changed.shift()] });
      }
      assert.equal(sql, unpublishedRowsSql);
      ran.push({ statement: 'read', params });
      const rows = (drainReads.shift() ?? []).map((entry) => ({
        id: entry.id,
        topic: entry.topic,
        partition_key: entry.key,
        event_id: entry.eventId,
        event_type: entry.eventType,
        headers: entry.headers,
        payload: entry.value,
      }));
      return Promise.resolve({ rows });
    },
  } as unknown as pg.Pool;
  return { pool, ran };
}

/** A producer that records the event ids of each sendBatch, or refuses every one. */
function fakeProducer(refuse = false) {
  const sent: string[][] = [];
  const producer = {
    sendBatch: (request: {
      topicMessages: { messages: { headers: Record<string, string> }[] }[];
    }) => {
      if (refuse) return Promise.reject(new Error('broker refused'));
      // Events only: the balances derived from them carry no event id.
      const ids = request.topicMessages.flatMap((topic) =>
        topic.messages.flatMap((message) => message.headers['event-id'] ?? []),
      );
      sent.push(ids);
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, sent };
}

/**
 * Encodes a balance as `accountId@version`, then `r<revision>` when it has one and
 * `/<available>` when that is not the balance; decodes a payload `changed` as alice's
 * AccountChanged at version 3 and any other as a transfer between a and b.
 */
const fakeSerde = {
  encodeBalance: (change: BalanceChanged) => {
    const revision = change.revision === undefined ? '' : `r${change.revision}`;
    const available =
      change.available === undefined || change.available === change.balance
        ? ''
        : `/${change.available}`;
    return Buffer.from(`${change.accountId}@${change.version}${revision}${available}`);
  },
  decodeEvent: (value: Buffer): Promise<LedgerEvent> =>
    Promise.resolve(value.toString() === 'changed' ? aliceFrozen : transferPosted(value.length)),
};

const aliceFrozen: LedgerEvent = {
  eventId: 'e-changed',
  commandId: 'c-changed',
  occurredAt: 0,
  payload: {
    type: 'AccountChanged',
    accountId: 'alice',
    change: 'freeze',
    status: 'frozen',
    metadata: {},
    revision: 2,
    version: 3,
  },
};

function transferPosted(version: number): LedgerEvent {
  return {
    eventId: `e-${version}`,
    commandId: `c-${version}`,
    occurredAt: 0,
    payload: {
      type: 'TransferPosted',
      transferId: `t-${version}`,
      fromAccountId: 'a',
      toAccountId: 'b',
      amount: 1n,
      currency: 'USD',
      metadata: {},
      debit: { accountId: 'a', balanceAfter: -1n, version },
      credit: { accountId: 'b', balanceAfter: 1n, version },
    },
  };
}

function relayWith(producer: Producer, pool: pg.Pool) {
  return createOutboxRelay({
    producer,
    pool,
    serde: fakeSerde,
    balancesTopic: 'ledger.balances',
    logger: createLogger({ level: 'error', write: () => undefined }),
    published: new Counter({ name: 'published', help: 'rows', registers: [new Registry()] }),
  });
}

const ids = (rows: readonly OutboxRow[]) => rows.map((entry) => entry.eventId);

/** The rows as committed by `partition`'s commands. */
const inPartition = (partition: number, rows: readonly OutboxRow[]): OutboxRow[] =>
  rows.map((entry) => ({ ...entry, commandPartition: partition }));

describe('outbox relay', () => {
  it('given a publish that fails for good, when the consumer asks to go on, then it gets a fatal OutboxRelayFailure, the partition stays stopped and its position never moves', async () => {
    const { pool, ran } = fakePool();
    const relay = relayWith(fakeProducer(true).producer, pool);
    relay.enqueue(inPartition(3, [row(1, 10)]));
    await assert.rejects(relay.idle(), OutboxRelayFailure);
    await assert.rejects(relay.ready(), /partition 3 stopped: broker refused/);
    await assert.rejects(relay.drainUnsent(3), OutboxRelayFailure);
    // One queue for all partitions: a later partition must not overtake the stopped one.
    await assert.rejects(relay.drainUnsent(4), OutboxRelayFailure);
    assert.deepEqual(ran, []);
  });

  it('given a committed batch larger than one request, when published, then each acknowledged chunk moves the position to its last id with one statement', async () => {
    const { pool, ran } = fakePool();
    const { producer, sent } = fakeProducer();
    const relay = relayWith(producer, pool);
    const rows = Array.from({ length: outboxPublishRowsMax + 2 }, (_, index) => row(index + 1, 10));

    relay.enqueue(inPartition(5, rows));
    await relay.idle();

    assert.deepEqual(sent.flat(), ids(rows));
    assert.deepEqual(ran, [
      { statement: 'advance', params: [5, '1', String(outboxPublishRowsMax)] },
      {
        statement: 'advance',
        params: [5, String(outboxPublishRowsMax + 1), String(outboxPublishRowsMax + 2)],
      },
    ]);
  });

  it('given rows past the position, when drained, then it reads and publishes from the position until a read finds nothing', async () => {
    const first = [row(11, 10), row(12, 10)];
    const second = [row(13, 10)];
    const { pool, ran } = fakePool({ drainReads: [first, second] });
    const { producer, sent } = fakeProducer();
    const relay = relayWith(producer, pool);

    await relay.drainUnsent(2);

    assert.deepEqual(sent, [ids(first), ids(second)]);
    assert.deepEqual(
      ran.map((entry) => [entry.statement, ...entry.params]),
      [
        ['read', 2, outboxDrainBatchMax],
        ['advance', 2, '11', '12'],
        ['read', 2, outboxDrainBatchMax],
        ['advance', 2, '13', '13'],
        ['read', 2, outboxDrainBatchMax],
      ],
    );
  });

  it('given unpublished rows of a former owner before a committed batch, when the batch is published, then the position stays and the relay drains from it, that batch included', async () => {
    const formerOwners = [row(7, 10)];
    const batch = [row(9, 10), row(10, 10)];
    const { pool, ran } = fakePool({ gaps: [true], drainReads: [[...formerOwners, ...batch]] });
    const { producer, sent } = fakeProducer();
    const relay = relayWith(producer, pool);

    relay.enqueue(inPartition(1, batch));
    await relay.idle();

    assert.deepEqual(sent, [ids(batch), [...ids(formerOwners), ...ids(batch)]]);
    assert.deepEqual(
      ran.map((entry) => [entry.statement, ...entry.params]),
      [
        ['advance', 1, '9', '10'],
        ['read', 1, outboxDrainBatchMax],
        ['advance', 1, '7', '10'],
        ['read', 1, outboxDrainBatchMax],
      ],
    );
  });

  it('given a drain whose rows read from the position still report a gap, when drained, then the partition stops with an OutboxRelayFailure', async () => {
    const { pool } = fakePool({ gaps: [true], drainReads: [[row(4, 10)]] });
    const relay = relayWith(fakeProducer().producer, pool);

    await assert.rejects(relay.drainUnsent(0), /partition 0 stopped: .*found a gap/);
    await assert.rejects(relay.ready(), OutboxRelayFailure);
  });
});

/** A producer that records every message of each sendBatch as `topic:key:value`. */
function recordingProducer() {
  const sent: string[] = [];
  const producer = {
    sendBatch: (request: {
      topicMessages: { topic: string; messages: { key: string; value: Buffer }[] }[];
    }) => {
      for (const { topic, messages } of request.topicMessages) {
        for (const message of messages)
          sent.push(`${topic}:${message.key}:${message.value.toString()}`);
      }
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, sent };
}

describe('outbox relay: the balances changelog', () => {
  it('given a committed batch with its events in memory, when published, then each posted transfer adds both legs to the balances topic in the same request', async () => {
    const { pool } = fakePool();
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    const rejected = { ...row(2, 0), eventType: 'TransferRejected' };
    relay.enqueue(
      inPartition(0, [{ ...row(1, 0), balances: balanceChangesOf(transferPosted(7)) }, rejected]),
    );
    await relay.idle();
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances')),
      ['ledger.balances:a:a@7', 'ledger.balances:b:b@7'],
    );
  });

  it('given rows drained from the outbox, when republished, then their balances are derived from the decoded payloads', async () => {
    const { pool } = fakePool({ drainReads: [[row(1, 3)]] });
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    await relay.drainUnsent(0);
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances')),
      ['ledger.balances:a:a@3', 'ledger.balances:b:b@3'],
    );
  });

  it('given batches of two partitions committed one after the other, when published, then the balances leave in commit order whatever the partition', async () => {
    const { pool } = fakePool();
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    relay.enqueue(
      inPartition(5, [{ ...row(1, 0), balances: balanceChangesOf(transferPosted(1)) }]),
    );
    relay.enqueue(
      inPartition(2, [{ ...row(2, 0), balances: balanceChangesOf(transferPosted(2)) }]),
    );
    await relay.idle();
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances:a')),
      ['ledger.balances:a:a@1', 'ledger.balances:a:a@2'],
    );
  });
});

describe('outbox relay: another writer overtook our balances', () => {
  it('given an account moved on by another instance, when our publish is acknowledged, then its newest balance is published again after ours', async () => {
    const newer = {
      id: 'b',
      currency: 'USD',
      balance: '9',
      held: '0',
      version: '12',
      revision: '1',
      updated_at: new Date(5),
    };
    const { pool } = fakePool({ newer: [[newer]] });
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    relay.enqueue(
      inPartition(0, [{ ...row(1, 0), balances: balanceChangesOf(transferPosted(7)) }]),
    );
    await relay.idle();
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances')),
      ['ledger.balances:a:a@7', 'ledger.balances:b:b@7', 'ledger.balances:b:b@12r1'],
    );
  });

  it('given a newer version this instance has queued itself, when the ledger shows it, then it is not republished out of turn', async () => {
    const newer = {
      id: 'a',
      currency: 'USD',
      balance: '9',
      held: '0',
      version: '8',
      revision: '1',
      updated_at: new Date(5),
    };
    const { pool } = fakePool({ newer: [[newer], []] });
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    relay.enqueue(
      inPartition(0, [{ ...row(1, 0), balances: balanceChangesOf(transferPosted(7)) }]),
    );
    await Promise.resolve(); // the first publish has begun: the next batch queues behind it
    relay.enqueue(
      inPartition(1, [{ ...row(2, 0), balances: balanceChangesOf(transferPosted(8)) }]),
    );
    await relay.idle();
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances:a')),
      ['ledger.balances:a:a@7', 'ledger.balances:a:a@8'],
    );
  });

  it('given an account changed by its own partition at the version we published, when our publish is acknowledged, then its new revision is published again after ours (not taken for a duplicate)', async () => {
    const newer = {
      id: 'b',
      currency: 'USD',
      balance: '7',
      held: '2',
      version: '7',
      revision: '3',
      updated_at: new Date(5),
    };
    const { pool } = fakePool({ newer: [[newer]] });
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    const balances = balanceChangesOf(transferPosted(7), () => 2);
    relay.enqueue(inPartition(0, [{ ...row(1, 0), balances }]));
    await relay.idle();
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances:b')),
      ['ledger.balances:b:b@7r2', 'ledger.balances:b:b@7r3/5'],
    );
  });

  it('given a change this instance has queued itself at a version already published, when the ledger shows its revision, then it is not republished out of turn', async () => {
    const newer = {
      id: 'a',
      currency: 'USD',
      balance: '-1',
      held: '0',
      version: '7',
      revision: '2',
      updated_at: new Date(5),
    };
    const { pool } = fakePool({ newer: [[newer], []] });
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    const posted = balanceChangesOf(transferPosted(7), () => 1);
    const [debit] = posted;
    assert.ok(debit !== undefined);
    relay.enqueue(inPartition(0, [{ ...row(1, 0), balances: posted }]));
    await Promise.resolve(); // the first publish has begun: the change queues behind it
    const change = { ...row(2, 0), eventType: 'AccountChanged', key: 'a' };
    relay.enqueue(inPartition(1, [{ ...change, balances: [{ ...debit, revision: 2 }] }]));
    await relay.idle();
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances:a')),
      ['ledger.balances:a:a@7r1', 'ledger.balances:a:a@7r2'],
    );
  });
});

describe('outbox relay: account changes drained', () => {
  it('given an AccountChanged row drained from the outbox, when republished, then its balance is read from the ledger at its version and published with its revision', async () => {
    const drained = { ...row(1, 0), eventType: 'AccountChanged', value: Buffer.from('changed') };
    const { pool, ran } = fakePool({
      drainReads: [[drained]],
      changed: [{ currency: 'USD', balance: '40', held: '10' }],
    });
    const { producer, sent } = recordingProducer();
    const relay = relayWith(producer, pool);
    await relay.drainUnsent(0);
    assert.deepEqual(
      sent.filter((entry) => entry.startsWith('ledger.balances')),
      ['ledger.balances:alice:alice@3r2/30'],
    );
    assert.deepEqual(
      ran.filter((entry) => entry.statement === 'changed').map((entry) => entry.params),
      [['alice', 3]],
    );
  });
});

describe('outbox relay: gathering committed batches', () => {
  it('given batches of two partitions committed before the publish starts, when published, then they leave in one request in commit order and each partition moves to its own last id', async () => {
    const { pool, ran } = fakePool();
    const { producer, sent } = fakeProducer();
    const relay = relayWith(producer, pool);
    relay.enqueue(inPartition(0, [row(1, 10), row(2, 10)]));
    relay.enqueue(inPartition(4, [row(3, 10)]));
    relay.enqueue(inPartition(0, [row(5, 10)]));
    await relay.idle();
    assert.deepEqual(sent, [['evt-1', 'evt-2', 'evt-3', 'evt-5']]);
    assert.deepEqual(
      ran.map(({ params }) => params),
      [
        [0, '1', '5'],
        [4, '3', '3'],
      ],
    );
  });
});
