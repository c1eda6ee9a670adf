import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Partitioners, type Message, type RecordMetadata } from 'kafkajs';
import { ledgerPartitioner } from '../src/kafkaClient.ts';
import { isWorthResending, unansweredPartitions } from '../src/renewableProducer.ts';

const answer = (topicName: string, partition: number): RecordMetadata => ({
  topicName,
  partition,
  errorCode: 0,
});

void describe('a send checked for an answer from every partition it wrote to', () => {
  void it('given messages with explicit partitions, when every partition answered, then nothing is missing', () => {
    const batch = {
      topicMessages: [
        {
          topic: 't',
          messages: [
            { value: 'a', partition: 0 },
            { value: 'b', partition: 2 },
          ],
        },
      ],
    };

    assert.deepEqual(unansweredPartitions(batch, [answer('t', 0), answer('t', 2)]), []);
  });

  void it('given a partition whose leader moved mid-send, when kafkajs resolved without its answer, then it is reported missing', () => {
    const batch = {
      topicMessages: [
        {
          topic: 't',
          messages: [
            { value: 'a', partition: 0 },
            { value: 'b', partition: 5 },
          ],
        },
      ],
    };

    assert.deepEqual(unansweredPartitions(batch, [answer('t', 0)]), ['t:5']);
  });

  void it('given keyed messages, when the ledger partitioner chose their partitions, then the check uses its choices, as kafkajs default would pick them', () => {
    const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      partitionErrorCode: 0,
    }));
    const message: Message = { key: 'account-7', value: 'x' };
    const chosen = ledgerPartitioner()({ topic: 't', partitionMetadata, message });
    const expected = Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message });
    const batch = { topicMessages: [{ topic: 't', messages: [message] }] };

    assert.equal(chosen, expected);
    assert.deepEqual(unansweredPartitions(batch, []), [`t:${chosen}`]);
    assert.deepEqual(unansweredPartitions(batch, [answer('t', chosen)]), []);
  });

  void it('given errors, then connection losses and lost sequence state are worth resending and a refusal of the message is not', () => {
    const connection = Object.assign(new Error('connect ECONNREFUSED'), { retriable: true });
    const exhausted = Object.assign(new Error('retries exceeded', { cause: connection }), {
      retriable: false,
    });
    const sequence = Object.assign(new Error('out of order'), {
      type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    });
    const tooLarge = Object.assign(new Error('message too large'), { retriable: false });

    assert.equal(isWorthResending(exhausted), true);
    assert.equal(isWorthResending(sequence), true);
    assert.equal(isWorthResending(tooLarge), false);
  });
});
