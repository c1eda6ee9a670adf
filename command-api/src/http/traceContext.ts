import type { NextFunction, Request, Response } from 'express';
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import {
  accountAttribute,
  contextOfHeaders,
  startSendSpan,
  traceAttributes,
  type TraceSpan,
} from '@ledger/runtime';
import { assertNever, type AcceptedCommand } from '../commands.ts';

/** W3C Trace Context version 00: `00-<trace-id>-<parent-id>-<flags>`. */
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const zeroTraceId = '0'.repeat(32);
const zeroSpanId = '0'.repeat(16);

export function isValidTraceparent(value: string): boolean {
  const match = traceparentPattern.exec(value);
  return match !== null && match[1] !== zeroTraceId && match[2] !== zeroSpanId;
}

export const tracer = trace.getTracer('command-api');

const spanKey = 'ledgerRequestSpanContext';

/**
 * The server span of a `/v1` request (`POST /v1/transfers`…), continuing the caller's
 * traceparent when it sent a valid one, else starting a trace (recorded or not as the sampler
 * says: runtime's tracing.ts). Its context is kept on the response and handed on explicitly,
 * never through `context.with`: express's body parser resumes the request in the socket's
 * async context anyway, and a first `context.with` turns on AsyncLocalStorage's async hooks,
 * a cost on every promise and tick of the process from then on (runtime's tracing.ts).
 * The route template is known once the response is finished: the span is named after it then,
 * never after the raw path (which holds account ids).
 */
export function requestSpanMiddleware() {
  return function requestSpan(request: Request, response: Response, next: NextFunction): void {
    const parent = contextOfHeaders(request.headers);
    const span = tracer.startSpan(
      request.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    (response.locals as Record<string, unknown>)[spanKey] = spanContext;
    if (span.isRecording()) {
      response.once('finish', () => {
        const routePath = (request as { route?: { path?: unknown } }).route?.path;
        const route = typeof routePath === 'string' ? `${request.baseUrl}${routePath}` : undefined;
        if (route !== undefined) {
          span.updateName(`${request.method} ${route}`);
          span.setAttribute('http.route', route);
        }
        span.setAttribute('http.response.status_code', response.statusCode);
        if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      response.once('close', () => {
        if (!response.writableFinished) span.end(); // the client went away first
      });
    }
    next();
  };
}

/** The request span's context (requestSpanMiddleware), or the active one outside /v1. */
export function requestSpanContext(response: Response): Context {
  const stored = (response.locals as Record<string, unknown>)[spanKey];
  return stored === undefined ? context.active() : (stored as Context);
}

/**
 * The producer span of one request's commands (`send ledger.commands`, a child of the request
 * span) and the traceparent the propagator writes for it, which every message of the request
 * carries: an incoming trace continues (same trace id, this span as parent), none starts one.
 */
export function startCommandsSend(
  topic: string,
  commands: readonly AcceptedCommand[],
  parent: Context,
): TraceSpan {
  const send = startSendSpan(tracer, topic, parent, commands.length);
  const [first] = commands;
  if (send.span.isRecording() && commands.length === 1 && first !== undefined) {
    send.span.setAttributes(commandAttributes(first));
  }
  return send;
}

/** What a span says about one command: its id and its accounts, masked as the logger does. */
export function commandAttributes(command: AcceptedCommand): Attributes {
  const { payload } = command;
  switch (payload.type) {
    case 'OpenAccount':
    case 'ChangeAccount':
      return {
        [traceAttributes.commandId]: command.commandId,
        [traceAttributes.accountId]: accountAttribute(payload.accountId),
      };
    case 'Transfer':
    case 'SettlePending':
      return {
        [traceAttributes.commandId]: command.commandId,
        [traceAttributes.fromAccountId]: accountAttribute(payload.fromAccountId),
        [traceAttributes.toAccountId]: accountAttribute(payload.toAccountId),
      };
    default:
      return assertNever(payload);
  }
}
