import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@ledger/runtime';
import type { Producer } from 'kafkajs';
import type pg from 'pg';
import { Counter, Registry } from 'prom-client';
import type { OutboxRow } from '../src/ledgerStore.ts';
import {
  OutboxRelayFailure,
  createOutboxRelay,
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

describe('outbox relay', () => {
  it('given a publish that fails for good, when the consumer asks to go on, then it gets a fatal OutboxRelayFailure and the partition stays stopped', async () => {
    const relay = createOutboxRelay({
      producer: {
        sendBatch: () => Promise.reject(new Error('broker refused')),
      } as unknown as Producer,
      pool: { query: () => Promise.resolve({ rows: [] }) } as unknown as pg.Pool,
      logger: createLogger({ level: 'error', write: () => undefined }),
      published: new Counter({ name: 'published', help: 'rows', registers: [new Registry()] }),
    });
    relay.enqueue(3, [row(1, 10)]);
    await assert.rejects(relay.idle(), OutboxRelayFailure);
    await assert.rejects(relay.ready(3), /partition 3 stopped: broker refused/);
    await assert.rejects(relay.drainUnsent(3), OutboxRelayFailure);
    await relay.ready(4);
  });
});
