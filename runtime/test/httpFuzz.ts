import assert from 'node:assert/strict';
import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import fc from 'fast-check';
import { errorCatalog, problemContentType, type ProblemDocument } from '../src/index.ts';

/**
 * Generated HTTP requests for the fuzz tests of both APIs (command-api and query-api
 * `httpFuzz.unit.test.ts`), and the check every answer must pass: never a 5xx, and every refusal
 * an RFC 9457 problem document whose `code` is one of runtime's `errorCatalog`.
 *
 * Requests aim at the routes of both APIs (each API must answer the other's paths with a 404),
 * with path segments that are valid ids, percent-encoded ids, malformed escapes, bytes that are
 * not UTF-8 and traversal; strict and bogus query strings; bogus Content-Type, Authorization,
 * Idempotency-Key, Prefer, Content-Encoding and traceparent headers; and bodies from a command
 * with some fields spoiled to random JSON, truncated JSON, huge numbers, deep nesting (within the
 * body limit), non-UTF-8 bytes and oversized ones. Requests go out raw through node:http (no
 * URL normalisation: what is generated is what the server parses).
 */

export interface FuzzRequest {
  readonly method: string;
  /** The request target exactly as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
}

export interface FuzzAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** Both APIs' public routes; `{id}` is filled with a generated path segment. */
const routes: readonly (readonly [method: string, template: string])[] = [
  ['POST', '/v1/transfers'],
  ['POST', '/v1/transfers/batch'],
  ['POST', '/v1/accounts'],
  ['GET', '/v1/commands/{id}'],
  ['GET', '/v1/transfers/{id}'],
  ['GET', '/v1/accounts/{id}'],
  ['GET', '/v1/accounts/{id}/balance'],
  ['GET', '/v1/accounts/{id}/transactions'],
  ['GET', '/v1/stream'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
];

const idCharacters = [...'abcxyzABCXYZ0189_.:-'];
export const validIdArb = fc
  .tuple(
    fc.constantFrom(...'aZ09'),
    fc.string({ unit: fc.constantFrom(...idCharacters), maxLength: 20 }),
  )
  .map(([first, rest]) => first + rest);
/** Ids the fakes know, so some requests find what they ask for. */
const knownIdArb = fc.constantFrom('alice', 'bob', 'whale', 't-ok', 't-no', 'id-1', 'id-2');

const hex = (byte: number) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
const percentEncodeAll = (text: string) => [...Buffer.from(text, 'utf8')].map(hex).join('');

/** Pieces that break decoding or routing: malformed escapes, non-UTF-8, traversal. */
const nastyPieceArb = fc.constantFrom(
  '%',
  '%Z',
  '%ZZ',
  '%zz',
  '%4',
  '%%41',
  '%C0%AE%C0%AE',
  '%ED%A0%80x',
  '%FF',
  '%80',
  '%F0%9F%98',
  '%F4%90%80%80',
  '%00',
  '%2F',
  '%2f..%2f',
  '%2e%2e',
  '%252e',
  '..',
  '.',
  '%20',
  '+',
  '%E2%82%AC',
  '\u00e9', // sent as one latin1 byte, not UTF-8
  '\u00ff\u00fe',
  'a'.repeat(65),
  '#frag',
  ';x=1',
  '*',
);
/** Printable ASCII the HTTP client may put in a request target as is (no space, no `?`). */
const targetSafeArb = fc.string({
  unit: fc.constantFrom(..."abzAZ09-._~:@!$&'()*+,;=%/"),
  maxLength: 12,
});
const segmentPieceArb = fc.oneof(
  { arbitrary: validIdArb, weight: 4 },
  { arbitrary: knownIdArb, weight: 2 },
  { arbitrary: validIdArb.map(percentEncodeAll), weight: 2 },
  { arbitrary: nastyPieceArb, weight: 4 },
  {
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => [...b].map(hex).join('')),
    weight: 2,
  },
  { arbitrary: targetSafeArb, weight: 2 },
);
export const pathSegmentArb = fc
  .array(segmentPieceArb, { minLength: 1, maxLength: 3 })
  .map((pieces) => pieces.join(''));

const routeArb = (chosen: readonly (readonly [string, string])[]) =>
  fc.tuple(fc.constantFrom(...chosen), pathSegmentArb).map(([[method, template], segment]) => ({
    method,
    path: template.replace('{id}', () => segment),
  }));

/** Traversal and odd shapes around the real routes, any method. */
const oddPathArb = fc
  .tuple(
    fc.constantFrom(
      '/v1/',
      '/',
      '//v1/',
      '/v1//',
      '/V1/',
      '/v1/%2e%2e/v1/',
      '/v1/../v1/',
      '/v1/./',
    ),
    fc.array(pathSegmentArb, { maxLength: 4 }),
    fc.constantFrom('', '/', '/balance', '/transactions', '/..', '/%2e%2e'),
  )
  .map(([prefix, segments, suffix]) => ({
    method: undefined as string | undefined,
    path: prefix + segments.join('/') + suffix,
  }));

/** Mostly the API's own routes, some of the other API's (a 404 there), some odd shapes. */
const pathArbFor = (own: readonly string[]) =>
  fc.oneof(
    { arbitrary: routeArb(routes.filter(([, template]) => own.includes(template))), weight: 8 },
    { arbitrary: routeArb(routes), weight: 2 },
    { arbitrary: oddPathArb, weight: 2 },
  );

const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');

const queryNameArb = fc.oneof(
  fc.constantFrom('minVersion', 'waitMs', 'limit', 'cursor', 'minversion', 'x', '', 'limit[]'),
  targetSafeArb,
  nastyPieceArb,
);
const queryValueArb = fc.oneof(
  fc.constantFrom('1', '3', '0', '-1', '1.5', '1e3', '01', '200', '201', '99999999999999999', ''),
  validIdArb,
  nastyPieceArb,
  targetSafeArb,
  fc.string({ unit: 'grapheme-ascii', maxLength: 16 }).map(encodeURIComponent),
);
const queryArb = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  {
    arbitrary: fc
      .array(
        fc
          .tuple(queryNameArb, fc.option(queryValueArb, { nil: undefined }))
          .map(([name, value]) => (value === undefined ? name : `${name}=${value}`)),
        { maxLength: 4 },
      )
      .map((pairs) => tameWaits(`?${pairs.join('&')}`)),
    weight: 3,
  },
  { arbitrary: fc.constant(`?x=${'y'.repeat(600)}`), weight: 1 },
);

/**
 * A read with `minVersion` the account has not reached waits `waitMs` (default 2 s, at most 10 s)
 * before its 504: keep that wait a few milliseconds so thousands of requests stay fast.
 */
function tameWaits(query: string): string {
  const params = new URLSearchParams(query);
  if (!params.has('minVersion')) return query;
  const wait = Number(params.get('waitMs') ?? Number.NaN);
  if (params.has('waitMs') && !(wait > 20 && wait <= 10_000)) return query;
  return `${query}&waitMs=5`;
}

/** A header value node:http will send (visible ASCII, latin1, tab and space). */
const headerTextArb = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('a', ' ', '\t', '\u00e9', '\u00ff', ',', ';', '=', '"'),
    maxLength: 12,
  }),
  fc.constant('x'.repeat(600)),
);
/** Absent three times in four: each bogus header alone should decide some answers. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary, weight: 1 });
const headersArb = fc
  .record({
    'content-type': fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 12 },
      { arbitrary: fc.constant(undefined), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          'application/json; charset=utf-8',
          'application/json; charset=latin1',
          'application/json; charset=utf-16',
          'application/json; charset="',
          'application/json;;',
          'application/problem+json',
          'application/json-patch+json',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
          '*/*',
          '',
        ),
        weight: 2,
      },
      { arbitrary: headerTextArb, weight: 1 },
    ),
    authorization: sometimes(
      fc.oneof(
        fc.constantFrom(
          'Bearer x',
          'Bearer',
          'Bearer  two spaces',
          'Basic Zm9vOmJhcg==',
          'bearer k',
        ),
        headerTextArb,
      ),
    ),
    'idempotency-key': sometimes(
      fc.oneof(validIdArb, validIdArb, headerTextArb, fc.constant('k'.repeat(256))),
    ),
    prefer: sometimes(
      fc.oneof(
        fc.constantFrom(
          'wait=1',
          'wait=0',
          'wait=31',
          'wait=999999999',
          'wait',
          'wait=-1',
          'respond-async, wait=1',
          'wait="1"',
          'wait=1;x',
          'return=minimal',
        ),
        headerTextArb,
      ),
    ),
    'content-encoding': sometimes(
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-bogus', 'gzip, gzip'),
    ),
    traceparent: sometimes(
      fc.oneof(
        fc.constant('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
        headerTextArb,
      ),
    ),
    'x-request-id': sometimes(headerTextArb),
    accept: sometimes(headerTextArb),
  })
  .map(
    (headers) =>
      Object.fromEntries(
        Object.entries(headers).filter(([, value]) => value !== undefined),
      ) as Record<string, string>,
  );

/** A JSON value unlikely to be what a field wants. */
const wrongValueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '-0',
    '1.5',
    '1e3',
    '01',
    '\u0000',
    'usd',
    'XXX',
    '１２',
    'a b',
  ),
  fc.constant('9'.repeat(40)),
  fc.constant('z'.repeat(300)),
);
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: wrongValueArb, weight: 1 });
const amountArb = fc.bigInt({ min: 1n, max: 10n ** 18n }).map(String);
const currencyArb = fc.constantFrom('USD', 'EUR', 'JPY');
const metadataArb = fc.dictionary(
  fc.string({ unit: fc.constantFrom(...'ab01_-'), minLength: 1, maxLength: 4 }),
  fc.string({ maxLength: 8 }),
  { maxKeys: 3 },
);
/** Ids used again and again, so some commands replay or conflict with an earlier one. */
const reusedIdArb = fc.constantFrom('alice', 'bob', 'dup-1', 'dup-2', 't-ok');
const someIdArb = fc.oneof(validIdArb, reusedIdArb);
const transferArb = fc.record(
  {
    transferId: field(someIdArb),
    fromAccountId: field(knownIdArb),
    toAccountId: field(validIdArb),
    amount: field(amountArb),
    currency: field(currencyArb),
    metadata: field(metadataArb),
    extra: wrongValueArb,
  },
  { requiredKeys: ['fromAccountId', 'toAccountId', 'amount', 'currency'] },
);
const openAccountArb = fc.record(
  {
    accountId: field(someIdArb),
    currency: field(currencyArb),
    overdraftLimit: field(amountArb),
    metadata: field(metadataArb),
    extra: wrongValueArb,
  },
  { requiredKeys: ['currency'] },
);
/** Drops the `extra` key most of the time: an unknown field is a 400 already, too easy a way out. */
const mostlyWithoutExtra = <T extends { extra?: unknown }>(arbitrary: fc.Arbitrary<T>) =>
  fc.tuple(arbitrary, fc.nat(9)).map(([command, roll]) => {
    if (roll === 0) return command;
    const { extra: _extra, ...rest } = command;
    return rest;
  });
const commandArb = mostlyWithoutExtra(fc.oneof(transferArb, openAccountArb));
const batchArb = fc.oneof(
  fc.record({
    transfers: fc.array(mostlyWithoutExtra(transferArb), { minLength: 1, maxLength: 5 }),
  }),
  fc.record({ transfers: fc.array(commandArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ transfers: wrongValueArb }),
);

const deep = (depth: number, open: string, close: string, leaf: string) =>
  open.repeat(depth) + leaf + close.repeat(depth);
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const jsonOf = (arbitrary: fc.Arbitrary<unknown>) =>
  arbitrary.map((value) => utf8(JSON.stringify(value)));
const bodyArb: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: jsonOf(commandArb), weight: 6 },
  { arbitrary: jsonOf(batchArb), weight: 2 },
  {
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => utf8(JSON.stringify(value))),
    weight: 2,
  },
  {
    // truncated JSON
    arbitrary: fc.tuple(commandArb, fc.nat()).map(([value, cut]) => {
      const text = JSON.stringify(value);
      return utf8(text.slice(0, cut % Math.max(1, text.length)));
    }),
    weight: 2,
  },
  {
    // numbers no JS number holds, where strings are wanted
    arbitrary: fc
      .constantFrom('1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0', '0.1e1')
      .map((number) =>
        utf8(
          `{"fromAccountId":"alice","toAccountId":"bob","amount":${number},"currency":"USD",` +
            `"transferId":"t-${number.length}","overdraftLimit":${number}}`,
        ),
      ),
    weight: 1,
  },
  {
    // deep nesting, within the 64 KiB body limit
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 10_000 }), fc.boolean())
      .map(([depth, arrays]) =>
        utf8(
          arrays ? deep(depth, '[', ']', '1') : deep(Math.min(depth, 10_000), '{"a":', '}', '1'),
        ),
      ),
    weight: 1,
  },
  {
    arbitrary: fc
      .integer({ min: 1, max: 4_000 })
      .map((depth) =>
        utf8(
          `{"fromAccountId":"alice","toAccountId":"bob","amount":"1","currency":"USD","metadata":${deep(depth, '{"k":', '}', '"v"')}}`,
        ),
      ),
    weight: 1,
  },
  {
    // bytes that are not UTF-8, bare and inside JSON strings
    arbitrary: fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      fc
        .uint8Array({ minLength: 1, maxLength: 8 })
        .map((bytes) =>
          Buffer.concat([utf8('{"accountId":"'), Buffer.from(bytes), utf8('","currency":"USD"}')]),
        ),
      fc.constant(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), // BOM + {}
      fc.constant(Buffer.from('{"currency":"USD"}', 'utf16le')),
    ),
    weight: 2,
  },
  {
    // over the single-command limit (64 KiB), under the batch one
    arbitrary: fc.constant(utf8(`{"currency":"USD","metadata":{"a":"${'x'.repeat(70_000)}"}}`)),
    weight: 1,
  },
);

/** Requests aimed mostly at `ownRoutes` (templates of the route list above). */
export const fuzzRequestsFor = (ownRoutes: readonly string[]): fc.Arbitrary<FuzzRequest> =>
  fc
    .record({
      target: pathArbFor(ownRoutes),
      otherMethod: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 4 },
        { arbitrary: methodArb, weight: 1 },
      ),
      query: queryArb,
      headers: headersArb,
    })
    .chain(({ target, otherMethod, query, headers }) =>
      bodyFor(target.path).map((body) => ({
        method: otherMethod ?? target.method ?? 'GET',
        path: target.path + query,
        headers,
        body,
      })),
    );

/** The command a path takes, often enough for some to be valid, else any body of `bodyArb`. */
function bodyFor(path: string): fc.Arbitrary<Buffer | undefined> {
  const command =
    path === '/v1/transfers/batch'
      ? batchArb
      : path === '/v1/transfers'
        ? mostlyWithoutExtra(transferArb)
        : path === '/v1/accounts'
          ? mostlyWithoutExtra(openAccountArb)
          : undefined;
  if (command === undefined) return bodyArb;
  return fc.oneof({ arbitrary: jsonOf(command), weight: 3 }, { arbitrary: bodyArb, weight: 2 });
}

/** A keep-alive agent for one fuzz run: thousands of requests should not each open a socket. */
export function fuzzAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** Sends the request as generated, byte for byte (no URL normalisation, no added headers). */
export function sendRaw(
  baseUrl: string,
  agent: Agent,
  fuzz: FuzzRequest,
  timeoutMs = 10_000,
): Promise<FuzzAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: hostname,
        port,
        method: fuzz.method,
        path: fuzz.path,
        headers:
          fuzz.body === undefined
            ? fuzz.headers
            : { ...fuzz.headers, 'content-length': String(fuzz.body.length) },
        timeout: timeoutMs,
      },
      (incoming) => void readAnswer(incoming).then(resolve, reject),
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(fuzz.body);
  });
}

/** A response read whole. */
export function readAnswer(incoming: IncomingMessage): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('error', reject);
    incoming.on('end', () =>
      resolve({
        status: incoming.statusCode ?? 0,
        headers: incoming.headers,
        text: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
}

/** Answers counted by status, for the line a fuzz run reports. */
export function statusTally() {
  const startedAt = performance.now();
  const counts = new Map<number, number>();
  return {
    add(status: number): void {
      counts.set(status, (counts.get(status) ?? 0) + 1);
    },
    count: (status: number): number => counts.get(status) ?? 0,
    /** `<seconds> s: <status>×<count> …`, statuses in order. */
    summary(): string {
      const seconds = ((performance.now() - startedAt) / 1_000).toFixed(1);
      const byStatus = [...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
      return `${seconds} s: ${byStatus.join(' ')}`;
    },
  };
}

/**
 * The contract every answer keeps: no 5xx (unless `allowed` says this one is expected, such as
 * the query API's 504 for a `minVersion` it did not reach in `waitMs`), and a 4xx/5xx is an
 * RFC 9457 document with a code of runtime's catalogue and that code's status. Returns the problem
 * document for a refusal, undefined for a success.
 */
export function checkAnswer(
  fuzz: FuzzRequest,
  answer: FuzzAnswer,
  allowed: (problem: ProblemDocument) => boolean = () => false,
): ProblemDocument | undefined {
  const shown = `${fuzz.method} ${fuzz.path} → ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) {
    assert.ok(answer.status >= 200, shown);
    return undefined;
  }
  const contentType = answer.headers['content-type'] ?? '';
  assert.match(contentType, /^application\/problem\+json(;|$)/, `not a problem document: ${shown}`);
  assert.ok(contentType.startsWith(problemContentType));
  if (fuzz.method === 'HEAD') {
    assert.ok(answer.status < 500, shown);
    return undefined;
  }
  const problem = JSON.parse(answer.text) as ProblemDocument;
  assert.ok(Object.hasOwn(errorCatalog, problem.code), `unlisted code: ${shown}`);
  const listed = errorCatalog[problem.code];
  assert.equal(problem.status, answer.status, shown);
  assert.equal(listed.status, answer.status, shown);
  assert.equal(problem.title, listed.title, shown);
  assert.equal(problem.type, `urn:ledger:problem:${problem.code}`, shown);
  assert.equal(typeof problem.detail, 'string', shown);
  if (answer.status >= 500) assert.ok(allowed(problem), `5xx: ${shown}`);
  return problem;
}
