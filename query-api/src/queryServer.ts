import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerClientErrors, type IdGenerator, type Logger } from '@ledger/runtime';
import type { AccountReader } from './accountReader.ts';
import type { BalanceStream } from './balanceStream.ts';
import type { QueryAdmission } from './http/admission.ts';
import { createExpressApp } from './http/expressApp.ts';
import type { RecordRequest } from './http/httpMetrics.ts';
import { requestIdHeader, requestIdOf } from './http/httpSupport.ts';
import { createLeanRoutes } from './http/leanRoutes.ts';
import type { ReadModels } from './postgres/readModels.ts';

/**
 * The query API's one HTTP server: a request gets its X-Request-Id, then the lean node:http
 * handler tries the hot GETs, then the ops routes (/healthz, /readyz, /metrics), then express
 * serves the rest. WebSocket upgrades go to the balance stream. Everything comes in as a
 * dependency, so tests drive it with an in-memory read model and no Kafka.
 */
export interface QueryServerDeps {
  readonly reader: AccountReader;
  readonly readModels: ReadModels;
  readonly stream: BalanceStream;
  readonly admission: QueryAdmission;
  readonly recordRequest: RecordRequest;
  readonly handleOps: (request: IncomingMessage, response: ServerResponse) => boolean;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly httpConnectionsMax: number;
}

export function createQueryServer(deps: QueryServerDeps): Server {
  const handleLean = createLeanRoutes(deps);
  const app = createExpressApp(deps);
  const server = createServer((request, response) => {
    const requestId = requestIdOf(request, deps.ids);
    if (handleLean(request, response, requestId)) return;
    response.setHeader(requestIdHeader, requestId);
    if (deps.handleOps(request, response)) return;
    app(request, response);
  });
  server.maxConnections = deps.httpConnectionsMax;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    deps.stream.handleUpgrade(request, socket, head, requestIdOf(request, deps.ids));
  });
  answerClientErrors(server, deps.logger);
  return server;
}
