import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameMessage, readWireHeader, WireContractError } from '../src/index.ts';

const malformed = (error: unknown) =>
  error instanceof WireContractError && error.code === 'malformed_message' && !error.retriable;

void describe('Confluent wire format', () => {
  void it('given a schema id and a body, when framed, then it is magic 0, big-endian id, body', () => {
    const message = frameMessage(0x01020304, Buffer.from([0xaa, 0xbb]));
    assert.equal(message.toString('hex'), '0001020304aabb');
  });

  void it('given a framed message, when its header is read, then id and body come back', () => {
    const { schemaId, body } = readWireHeader(frameMessage(42, Buffer.from('body')));
    assert.equal(schemaId, 42);
    assert.equal(body.toString(), 'body');
  });

  void it('given a message shorter than the header, a wrong magic byte or id 0, when read, then it is malformed', () => {
    assert.throws(() => readWireHeader(Buffer.from([0, 0, 0])), malformed);
    assert.throws(() => readWireHeader(Buffer.from('{"json":true}')), malformed);
    assert.throws(() => readWireHeader(Buffer.from([0, 0, 0, 0, 0, 1])), malformed);
  });

  void it('given an id of 0, when framing, then it is a programming error', () => {
    assert.throws(() => frameMessage(0, Buffer.alloc(0)), RangeError);
  });
});
