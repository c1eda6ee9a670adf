import type { IncomingHttpHeaders } from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { pooledRandomBytes } from '@ledger/runtime';

/** W3C Trace Context version 00: `00-<trace-id>-<parent-id>-<flags>`. */
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const zeroTraceId = '0'.repeat(32);
const zeroSpanId = '0'.repeat(16);

export function isValidTraceparent(value: string): boolean {
  const match = traceparentPattern.exec(value);
  return match !== null && match[1] !== zeroTraceId && match[2] !== zeroSpanId;
}

/**
 * The traceparent to put on the Kafka messages of one request. When an OpenTelemetry SDK is
 * registered, its propagator writes it (carrying the request's span); without one (the default
 * here) the propagation API is a no-op, so we continue the caller's trace ourselves: same
 * trace-id and flags, a fresh parent-id for this hop; or a new trace when the caller sent none.
 */
export function traceparentFor(
  headers: IncomingHttpHeaders,
  randomHex: (bytes: number) => string = cryptoRandomHex,
): string {
  const carrier: Record<string, string> = {};
  const incomingContext = propagation.extract(context.active(), headers);
  const span = trace
    .getTracer('command-api')
    .startSpan('ledger.commands publish', {}, incomingContext);
  try {
    propagation.inject(trace.setSpan(incomingContext, span), carrier);
  } finally {
    span.end();
  }
  const injected = carrier.traceparent;
  if (injected !== undefined && isValidTraceparent(injected)) return injected;

  const incoming = headers.traceparent;
  const match = typeof incoming === 'string' ? traceparentPattern.exec(incoming.trim()) : null;
  if (match !== null && isValidTraceparent(match[0])) {
    return `00-${match[1]}-${nonZeroHex(8, randomHex)}-${match[3]}`;
  }
  // Not sampled: nothing at this edge recorded the trace, so downstream tracers decide.
  return `00-${nonZeroHex(16, randomHex)}-${nonZeroHex(8, randomHex)}-00`;
}

/** All-zero ids are invalid; drawing one twice in a row from a CSPRNG means it is broken. */
const randomDrawsMax = 2;

function nonZeroHex(bytes: number, randomHex: (bytes: number) => string): string {
  for (let draw = 0; draw < randomDrawsMax; draw += 1) {
    const hex = randomHex(bytes);
    if (!/^0+$/.test(hex)) return hex;
  }
  throw new Error('random source returned only zeros');
}

function cryptoRandomHex(bytes: number): string {
  return Buffer.from(pooledRandomBytes(bytes)).toString('hex');
}
