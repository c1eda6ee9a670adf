import type { DeadLetterRecord } from './avroRecordTypes.ts';
import type { DeadLetter } from './domainTypes.ts';
import {
  checkEpochMillis,
  checkPattern,
  checkSafeInteger,
  checkText,
  deadLetterReasonLengthMax,
  offsetPattern,
  topicNameLengthMax,
} from './fieldRules.ts';
import { WireContractError } from './wireContractError.ts';

const partitionMax = 2_147_483_647; // Avro int, as Kafka's own partition numbers

/**
 * Domain dead letter <-> Avro record of avro/DeadLetter.avsc. The original key and value are kept
 * as bytes, untouched: they are what failed to decode, so they cannot be typed. Decoded buffers are
 * views into the consumed message, not copies.
 */
export function deadLetterToAvro(letter: DeadLetter): DeadLetterRecord {
  return {
    ...sharedFields(letter),
    key: letter.key === null ? null : { bytes: checkBytes(letter.key, 'key') },
    value: checkBytes(letter.value, 'value'),
  };
}

export function deadLetterFromAvro(record: DeadLetterRecord): DeadLetter {
  return {
    ...sharedFields(record),
    key: record.key === null ? null : checkBytes(record.key.bytes, 'key'),
    value: checkBytes(record.value, 'value'),
  };
}

function sharedFields(source: DeadLetter | DeadLetterRecord) {
  const partition = checkSafeInteger(source.originalPartition, 'originalPartition', 0);
  if (partition > partitionMax) {
    throw new WireContractError('invalid_request', 'originalPartition', `above ${partitionMax}`);
  }
  return {
    originalTopic: checkText(source.originalTopic, 'originalTopic', topicNameLengthMax),
    originalPartition: partition,
    originalOffset: checkPattern(source.originalOffset, 'originalOffset', offsetPattern),
    reason: checkText(source.reason, 'reason', deadLetterReasonLengthMax),
    failedAt: checkEpochMillis(source.failedAt, 'failedAt'),
  };
}

function checkBytes(value: Buffer, field: string): Buffer {
  if (!Buffer.isBuffer(value)) {
    throw new WireContractError('invalid_request', field, 'expected a Buffer');
  }
  return value;
}
