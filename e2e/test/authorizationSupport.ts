import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { waitUntil } from '@ledger/testing';
import { runKeysCommand } from '@ledger/infra/apiKeys/keysCommand';
import type { LedgerTestEnvironment } from '@ledger/testing';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import { readProjectorConfig } from '@ledger/projector/config';
import { startProjector, type RunningProjector } from '@ledger/projector/wiring';
import { apiKeyIdOf, createLogger, type ApiScope } from '@ledger/runtime';
import type { Kafka } from 'kafkajs';
import { WebSocket } from 'ws';
import { readCommandApiConfig } from '@ledger/command-api/config';
import { startCommandApi, type RunningCommandApi } from '@ledger/command-api/wiring';
import { request, type HttpResult } from '@ledger/testing/httpClient';
import { readQueryApiConfig } from '@ledger/query-api/config';
import { startQueryApi, type RunningQueryApi } from '@ledger/query-api/wiring';

/** Runs `npm run keys -- …` in-process against `file`; fails the test unless it succeeds. */
function keysCommand(file: string, args: readonly string[]): string[] {
  const out: string[] = [];
  const err: string[] = [];
  const status = runKeysCommand([...args, '--file', file], {
    env: {},
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: () => new Date(),
  });
  assert.equal(status, 0, `keys ${args.join(' ')}: ${err.join('\n')}`);
  return out;
}

/** `keys create`: the key printed once on stdout, and its public id. */
export function createKey(
  file: string,
  scopes: readonly ApiScope[],
  accountPrefix?: string,
): { key: string; id: string } {
  const prefix = accountPrefix === undefined ? [] : ['--account-prefix', accountPrefix];
  const [key, ...rest] = keysCommand(file, ['create', '--scopes', scopes.join(','), ...prefix]);
  assert.deepEqual(rest, [], 'create prints the key alone on stdout');
  const id = key === undefined ? undefined : apiKeyIdOf(key);
  assert.ok(key !== undefined && id !== undefined, `a file key, not ${String(key)}`);
  return { key, id };
}

export function revokeKey(file: string, id: string): void {
  keysCommand(file, ['revoke', id]);
}

/** One request, with `Authorization: Bearer <key>` when a key is given. */
export function call(
  baseUrl: string,
  method: string,
  path: string,
  key: string | undefined,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  return request(baseUrl, method, path, {
    ...(options.body === undefined ? {} : { body: options.body }),
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...options.headers,
    },
  });
}

/** A problem document (RFC 9457) with this status and code. */
export function assertProblem(result: HttpResult, status: number, code: string): void {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, code, result.text);
  assert.equal(result.body.status, status);
  assert.match(result.headers.get('content-type') ?? '', /^application\/problem\+json/);
}

/** Every message ever published to a topic: the sum of its partitions' high watermarks. */
export async function topicMessages(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export type StreamFrame = { type: string } & Record<string, unknown>;

export interface StreamClient {
  readonly frames: StreamFrame[];
  send(message: unknown): void;
  /** Waits (polling, with a deadline) for a frame after the first `from` that matches. */
  waitFor(
    what: string,
    match: (frame: StreamFrame) => boolean,
    from?: number,
  ): Promise<StreamFrame>;
  close(): Promise<void>;
}

/** `/v1/stream` with the key: an open client, or the HTTP status the upgrade was refused with. */
export function openStream(port: number, key: string | undefined): Promise<StreamClient | number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream`, {
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
  });
  const frames: StreamFrame[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as StreamFrame));
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response: IncomingMessage) => {
      response.resume();
      response.on('end', () => {
        ws.on('error', () => undefined);
        ws.terminate();
        resolve(response.statusCode ?? 0);
      });
    });
    ws.once('open', () =>
      resolve({
        frames,
        send: (message) => ws.send(JSON.stringify(message)),
        async waitFor(what, match, from = 0) {
          let found: StreamFrame | undefined;
          await waitUntil(
            () => (found = frames.slice(from).find(match)) !== undefined,
            what,
            20_000,
          ).catch((error: unknown) => {
            throw new Error(`${String(error)}; frames: ${JSON.stringify(frames)}`);
          });
          return found as StreamFrame;
        },
        async close() {
          ws.close();
          await closed;
        },
      }),
    );
  });
}

export interface LedgerServices {
  readonly processor: RunningProcessor;
  readonly projector: RunningProjector;
  readonly commandApi: RunningCommandApi;
  readonly queryApi: RunningQueryApi;
  /** Each service's base URL on 127.0.0.1 (the processor's and projector's are ops servers). */
  readonly urls: { cmd: string; query: string; processor: string; projector: string };
  stop(): Promise<void>;
}

/**
 * The four services with their production wiring, in-process on free ports, against the test's
 * topics, schema and Redis prefix, with `extraEnv` (the key settings) added to the environment.
 * What started is stopped again if a later one fails to start.
 */
export async function startServices(
  env: LedgerTestEnvironment,
  extraEnv: Record<string, string>,
): Promise<LedgerServices> {
  const logger = createLogger({
    level: 'warn',
    write: (line) => process.stderr.write(line + '\n'),
  });
  const onFatal = (name: string) => (error: unknown) => assert.fail(`${name}: ${String(error)}`);
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const service of started.splice(0).reverse()) await service.stop();
  };
  const track = <T extends { stop(): Promise<void> }>(service: T): T => {
    started.push(service);
    return service;
  };
  try {
    const processor = track(
      await startLedgerProcessor(readProcessorConfig(env.env(extraEnv)), logger, {
        port: 0,
        onFatal: onFatal('processor'),
      }),
    );
    const projector = track(
      await startProjector(readProjectorConfig(env.env(extraEnv)), logger, {
        port: 0,
        onFatal: onFatal('projector'),
      }),
    );
    const commandApi = track(
      await startCommandApi(
        readCommandApiConfig(env.env({ ...extraEnv, LEDGER_COMMAND_API_HOST: '127.0.0.1' })),
        logger,
        0,
      ),
    );
    const queryEnv = {
      ...extraEnv,
      LEDGER_QUERY_API_HOST: '127.0.0.1',
      LEDGER_QUERY_API_INSTANCE_ID: `authz-${process.pid}`,
      LEDGER_QUERY_API_PG_POOL_MAX: '4',
    };
    const queryApi = track(
      await startQueryApi(readQueryApiConfig(env.env(queryEnv)), logger, {
        port: 0,
        onFatal: onFatal('query-api'),
      }),
    );
    const url = (port: number) => `http://127.0.0.1:${port}`;
    return {
      processor,
      projector,
      commandApi,
      queryApi,
      urls: {
        cmd: url(commandApi.port),
        query: url(queryApi.port),
        processor: url(processor.port),
        projector: url(projector.port),
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined); // the start error is the one to report
    throw error;
  }
}
