import type { IncomingHttpHeaders } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { maskAccountId } from './logger.ts';

/**
 * The one place the OpenTelemetry SDK is set up (runService calls startTracing for every
 * service), configured only by the standard `OTEL_*` variables:
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` set: spans go to an
 *   OTLP/HTTP exporter through a batch processor (`OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_*HEADERS`…
 *   are read by the SDK itself), sampled by `OTEL_TRACES_SAMPLER` (default: parent-based,
 *   always on).
 * - neither set: nothing is exported, and unless `OTEL_TRACES_SAMPLER` says otherwise a trace
 *   is recorded only when a caller's traceparent asks for it (parent-based, root always off), so
 *   a span costs an id and no recording. Traceparents are still written on every message.
 * - `service.name` is the service's own, `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` win.
 * W3C trace-context propagation, AsyncLocalStorage context. Registered once per process: the
 * integration tests run several services in one process and pass their own span processors.
 *
 * Our code hands contexts on explicitly (a parent argument) and never calls `context.with`: the
 * first `with` makes Node enable AsyncLocalStorage's async hooks for good, which then run on
 * every promise, tick and socket request of the process, the cached reads' included. Only the
 * SDK's span processors call it, and only when they export.
 */
export interface Tracing {
  /** Flushes what is buffered and stops exporting: the last step of a graceful stop. */
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

export interface TracingOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Instead of the exporter the environment names (tests: an in-memory exporter). */
  readonly spanProcessors?: readonly SpanProcessor[];
}

/**
 * Links one batch span may carry: every command of the processor's largest transaction
 * (batchCommandsMax), instead of the SDK's 128. `OTEL_SPAN_LINK_COUNT_LIMIT` still wins.
 */
export const batchLinksMax = 10_000;

let started: Tracing | undefined;

export function startTracing(service: string, options: TracingOptions = {}): Tracing {
  if (started !== undefined) return started;
  const env = options.env ?? process.env;
  const endpoint =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.spanProcessors === undefined && endpoint !== undefined) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const sampler: Sampler | undefined =
    spanProcessors.length > 0 || nonEmpty(env.OTEL_TRACES_SAMPLER) !== undefined
      ? undefined // the SDK's: OTEL_TRACES_SAMPLER, else parent-based always on
      : new ParentBasedSampler({ root: new AlwaysOffSampler() });
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors,
    ...(sampler === undefined ? {} : { sampler }),
    ...(nonEmpty(env.OTEL_SPAN_LINK_COUNT_LIMIT) === undefined
      ? { spanLimits: { linkCountLimit: batchLinksMax } }
      : {}),
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  started = {
    shutdown: () => provider.shutdown(),
    forceFlush: () => provider.forceFlush(),
  };
  return started;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Attribute names: the messaging ones are incubating in semantic-conventions, so copied here. */
export const traceAttributes = {
  messagingSystem: 'messaging.system',
  destinationName: 'messaging.destination.name',
  partitionId: 'messaging.destination.partition.id',
  kafkaOffset: 'messaging.kafka.offset',
  operationType: 'messaging.operation.type',
  batchMessageCount: 'messaging.batch.message_count',
  consumerGroup: 'messaging.consumer.group.name',
  commandId: 'ledger.command_id',
  accountId: 'ledger.account_id',
  /** Always masked (maskAccountId): traces are shipped like logs. */
  fromAccountId: 'ledger.from_account_id',
  toAccountId: 'ledger.to_account_id',
} as const;

/** An account id as a span attribute: masked exactly as the logger masks it. */
export function accountAttribute(accountId: string): string {
  return maskAccountId(accountId);
}

/** A span's context as its W3C traceparent, written by the registered propagator. */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: { traceparent?: string } = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
/** Headers as kafkajs and node:http hand them over. */
type HeaderCarrier = Readonly<Record<string, KafkaHeaderValue>> | IncomingHttpHeaders;

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = (carrier as Record<string, KafkaHeaderValue>)[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.map(String);
    return typeof value === 'string' ? value : value.toString('utf8');
  },
};

/** The trace context a message's or request's headers carry (ROOT_CONTEXT based). */
export function contextOfHeaders(headers: HeaderCarrier | undefined, base = ROOT_CONTEXT): Context {
  return headers === undefined ? base : propagation.extract(base, headers, headerGetter);
}

/** A link to the context in a traceparent, or undefined when there is none valid. */
export function linkToTraceparent(
  traceparent: string | undefined,
  attributes?: Attributes,
): Link | undefined {
  if (traceparent === undefined) return undefined;
  const spanContext = trace.getSpanContext(contextOfHeaders({ traceparent }));
  if (spanContext === undefined) return undefined;
  return attributes === undefined ? { context: spanContext } : { context: spanContext, attributes };
}

/** The messaging attributes of a span about `topic`. */
export function kafkaAttributes(
  topic: string,
  operation: 'send' | 'process',
  messages?: number,
): Attributes {
  const attributes: Attributes = {
    [traceAttributes.messagingSystem]: 'kafka',
    [traceAttributes.destinationName]: topic,
    [traceAttributes.operationType]: operation,
  };
  if (messages !== undefined) attributes[traceAttributes.batchMessageCount] = messages;
  return attributes;
}

/** A span and the traceparent its messages carry (undefined only with no SDK registered). */
export interface TraceSpan {
  readonly span: Span;
  readonly traceparent: string | undefined;
}

/** A producer span `send <topic>` under `parent`, and the traceparent its messages carry. */
export function startSendSpan(
  tracer: Tracer,
  topic: string,
  parent: Context,
  messages?: number,
): TraceSpan {
  const span = tracer.startSpan(
    `send ${topic}`,
    { kind: SpanKind.PRODUCER, attributes: kafkaAttributes(topic, 'send', messages) },
    parent,
  );
  return { span, traceparent: traceparentOf(trace.setSpan(parent, span)) };
}

/**
 * A consumer span `process <topic>` for one batch: a root (a batch has many parents), linked to
 * each message's context with linkMessage. Links are built only while the span records, so a
 * batch pays nothing per message when tracing is off.
 */
export function startProcessSpan(
  tracer: Tracer,
  topic: string,
  attributes?: Attributes,
): { readonly span: Span; readonly context: Context } {
  const span = tracer.startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      root: true,
      attributes: { ...kafkaAttributes(topic, 'process'), ...attributes },
    },
    ROOT_CONTEXT,
  );
  return { span, context: trace.setSpan(ROOT_CONTEXT, span) };
}

/** Links a recording batch span to a consumed message's producer context. */
export function linkMessage(
  span: Span,
  headers: HeaderCarrier | undefined,
  attributes: Attributes,
): void {
  const spanContext = trace.getSpanContext(contextOfHeaders(headers));
  if (spanContext !== undefined) span.addLink({ context: spanContext, attributes });
}

/** Ends a span as failed (status ERROR, the exception recorded). */
export function endSpanWithError(span: Span, error: unknown): void {
  if (span.isRecording()) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}
