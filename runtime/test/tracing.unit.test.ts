import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  accountAttribute,
  contextOfHeaders,
  linkToTraceparent,
  maskAccountId,
  startProcessSpan,
  startSendSpan,
  startTracing,
} from '../src/index.ts';

// The SDK as a service runs it with no OTEL_* variable set: nothing exported.
startTracing('tracing-unit', { env: {} });
const tracer = trace.getTracer('tracing-unit');
const sampled = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

void describe('tracing', () => {
  void it('given Kafka headers as Buffers, when extracted, then the context is the producer span', () => {
    const spanContext = trace.getSpanContext(
      contextOfHeaders({ traceparent: Buffer.from(sampled), other: undefined }),
    );
    assert.equal(spanContext?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(spanContext?.spanId, '00f067aa0ba902b7');
    assert.equal(spanContext?.isRemote, true);
  });

  void it('given no caller and no exporter, when a message is sent, then it still carries a new unsampled traceparent and nothing records', () => {
    const send = startSendSpan(tracer, 'ledger.balances', ROOT_CONTEXT);
    send.span.end();
    assert.equal(send.span.isRecording(), false);
    assert.match(send.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  void it('given a sampled caller, when a message is sent, then its span records under the same trace', () => {
    const send = startSendSpan(
      tracer,
      'ledger.commands',
      contextOfHeaders({ traceparent: sampled }),
    );
    assert.equal(send.span.isRecording(), true);
    assert.match(send.traceparent ?? '', /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    send.span.end();
  });

  void it('given no exporter, when a batch starts, then its span is an unrecorded root: no link is built', () => {
    const batch = startProcessSpan(tracer, 'ledger.commands');
    assert.equal(batch.span.isRecording(), false);
    assert.equal(trace.getSpan(batch.context), batch.span);
    batch.span.end();
  });

  void it('given a traceparent or none, when linked, then a link to it or nothing', () => {
    assert.equal(linkToTraceparent(sampled, { a: 1 })?.context.spanId, '00f067aa0ba902b7');
    assert.equal(linkToTraceparent(undefined), undefined);
    assert.equal(linkToTraceparent('garbage'), undefined);
  });

  void it('given an account id, when it becomes an attribute, then it is masked as the logger masks it', () => {
    assert.equal(accountAttribute('alice-account'), maskAccountId('alice-account'));
    assert.ok(!accountAttribute('alice-account').includes('alice-account'));
  });
});
