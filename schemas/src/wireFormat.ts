import { WireContractError } from './wireContractError.ts';

/**
 * Confluent wire format: magic byte 0, the writer schema's registry id as a big-endian int32, then
 * the Avro binary body. Any Confluent-compatible client can read what we write, and we can read
 * what any of them writes.
 */
export const magicByte = 0;
export const wireHeaderLength = 5;
const schemaIdMax = 2_147_483_647;

export interface WireMessage {
  readonly schemaId: number;
  /** A view into the message, not a copy. */
  readonly body: Buffer;
}

export function frameMessage(schemaId: number, body: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 1 || schemaId > schemaIdMax) {
    throw new RangeError(`schema id ${schemaId} is outside [1, ${schemaIdMax}]`);
  }
  const message = Buffer.allocUnsafe(wireHeaderLength + body.length);
  message.writeUInt8(magicByte, 0);
  message.writeInt32BE(schemaId, 1);
  body.copy(message, wireHeaderLength);
  return message;
}

export function readWireHeader(message: Buffer): WireMessage {
  if (!Buffer.isBuffer(message) || message.length < wireHeaderLength) {
    throw new WireContractError('malformed_message', undefined, 'shorter than the 5-byte header');
  }
  if (message[0] !== magicByte) {
    throw new WireContractError(
      'malformed_message',
      undefined,
      `magic byte is ${String(message[0])}, expected ${magicByte}`,
    );
  }
  const schemaId = message.readInt32BE(1);
  if (schemaId < 1) {
    throw new WireContractError(
      'malformed_message',
      undefined,
      `schema id ${schemaId} is not >= 1`,
    );
  }
  return { schemaId, body: message.subarray(wireHeaderLength) };
}
