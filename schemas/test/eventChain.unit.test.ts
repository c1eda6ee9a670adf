import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainGenesisHash, chainHashOf, nextChainLink, type LedgerEvent } from '../src/index.ts';
import { readFixtures } from './goldenFixtureFormat.ts';

const chainedFixture = readFixtures().find(
  ({ file }) => file === 'event-transfer-posted-reversal.json',
);

const event: LedgerEvent = {
  eventId: 'evt-1',
  commandId: 'cmd-1',
  occurredAt: 1_768_469_400_000,
  payload: {
    type: 'AccountOpened',
    accountId: 'alice',
    currency: 'USD',
    overdraftLimit: 0n,
    metadata: { b: '2', a: '1' },
    version: 1,
    balance: 0n,
  },
};

void describe('event hash chain', () => {
  void it('given a chain’s first event, when linked, then it follows the genesis hash at sequence 1', () => {
    const link = nextChainLink(3, undefined, event);
    assert.deepEqual([link.chain, link.sequence], [3, 1]);
    assert.equal(link.hash, chainHashOf(chainGenesisHash, event));
    assert.match(link.hash, /^[0-9a-f]{64}$/);
  });

  void it('given a chain’s second event, when linked, then its hash chains the first one’s', () => {
    const first = nextChainLink(3, undefined, event);
    const second = nextChainLink(3, first, { ...event, eventId: 'evt-2' });
    assert.equal(second.sequence, 2);
    assert.equal(second.hash, chainHashOf(first.hash, { ...event, eventId: 'evt-2' }));
  });

  void it('given a linked event, when its link is left out or kept, then the hash is the same: the link covers the content only', () => {
    const link = nextChainLink(3, undefined, event);
    assert.equal(chainHashOf(chainGenesisHash, { ...event, chain: link }), link.hash);
  });

  void it('given metadata in another key order, when hashed, then the hash is the same (canonical JSON)', () => {
    const reordered: LedgerEvent = {
      ...event,
      payload: { ...event.payload, metadata: { a: '1', b: '2' } } as LedgerEvent['payload'],
    };
    assert.equal(chainHashOf(chainGenesisHash, reordered), chainHashOf(chainGenesisHash, event));
  });

  void it('given any change to the content or to the previous hash, when hashed, then the hash changes', () => {
    const base = chainHashOf(chainGenesisHash, event);
    assert.notEqual(
      chainHashOf(chainGenesisHash, { ...event, occurredAt: event.occurredAt + 1 }),
      base,
    );
    assert.notEqual(chainHashOf('1'.repeat(64), event), base);
  });

  void it('given the golden chained fixture, when its link is recomputed from its content, then it matches byte for byte', () => {
    assert.ok(chainedFixture);
    const fixture = chainedFixture.fixture.domain as LedgerEvent;
    assert.ok(fixture.chain);
    // writeGoldenFixtures.ts links it after a head whose hash is 'd4' repeated.
    assert.equal(chainHashOf('d4'.repeat(32), fixture), fixture.chain.hash);
  });
});
