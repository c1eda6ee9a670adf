import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionsWithoutLeader } from '../src/dependencyChecks.ts';
import { isProducerStateLost } from '../src/renewableProducer.ts';

void describe('which partitions cannot be written', () => {
  void it('given metadata with a leaderless partition and one in error, then both are named and the led one is not', () => {
    const offline = partitionsWithoutLeader([
      {
        name: 'ledger.commands',
        partitions: [
          { partitionId: 0, leader: 1, partitionErrorCode: 0 },
          { partitionId: 1, leader: -1, partitionErrorCode: 0 },
          { partitionId: 2, leader: 1, partitionErrorCode: 5 },
        ],
      },
      { name: 'ledger.events', partitions: [{ partitionId: 0, leader: 1 }] },
    ]);

    assert.deepEqual(offline, ['ledger.commands-1', 'ledger.commands-2']);
  });
});

void describe('which send failures mean the producer sequence state is gone', () => {
  // Shaped as kafkajs shapes them: a protocol error carries its type; a retrier's wrapper its cause.
  const protocolError = (type: string) =>
    Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable: false });

  void it('given OUT_OF_ORDER_SEQUENCE_NUMBER wrapped by kafkajs retrier, then the state is lost', () => {
    const refusal = protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const wrapped = Object.assign(new Error(refusal.message, { cause: refusal }), {
      name: 'KafkaJSNonRetriableError',
    });

    assert.equal(isProducerStateLost(wrapped), true);
    assert.equal(isProducerStateLost(protocolError('UNKNOWN_PRODUCER_ID')), true);
  });

  void it('given a refusal about the data or a connection error, then the state is not said lost', () => {
    assert.equal(isProducerStateLost(protocolError('MESSAGE_TOO_LARGE')), false);
    assert.equal(isProducerStateLost(new Error('connect ECONNREFUSED')), false);
    assert.equal(isProducerStateLost('not an error'), false);
  });
});
