import {
  parameterRef,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { valueExamples } from './queryParts.ts';

/** The `/v1/stream` WebSocket handshake. */
export function streamOperation(): JsonObject {
  const handshake = (
    name: string,
    schema: JsonObject,
    examples: Record<string, string>,
  ): JsonObject => ({
    name,
    in: 'header',
    required: true,
    schema,
    examples: valueExamples(examples),
  });
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  return {
    operationId: 'streamBalances',
    tags: ['Stream'],
    summary: 'Balance changes over a WebSocket',
    description: [
      'A WebSocket (RFC 6455) handshake; OpenAPI describes only the HTTP half. After `101`, the client sends `StreamClientMessage` text frames and the server sends `StreamServerMessage` frames (see the schemas, and `x-websocket-messages`).',
      'Refusals are problem documents written on the socket: another path `404`, a closing server `503`, the key and its scope `401`/`403`, the connect rate limit `429`, capacity `503`, a bad handshake `400`.',
      'A key with a tenant may subscribe only to its accounts (an error frame with `forbidden`); too many subscriptions per window is an error frame with `rate_limited` and `retryAfterSeconds`.',
    ].join('\n\n'),
    security: securedBy('accounts:read'),
    parameters: [
      handshake(
        'Upgrade',
        { const: 'websocket' },
        { unauthorized: 'websocket', badHandshake: 'websocket' },
      ),
      handshake(
        'Connection',
        { type: 'string', pattern: '[Uu][Pp][Gg][Rr][Aa][Dd][Ee]' },
        { unauthorized: 'Upgrade', badHandshake: 'Upgrade' },
      ),
      handshake('Sec-WebSocket-Key', { type: 'string' }, { unauthorized: key, badHandshake: key }),
      handshake(
        'Sec-WebSocket-Version',
        { type: 'string' },
        { unauthorized: '13', badHandshake: '7' },
      ),
      parameterRef('XRequestId'),
    ],
    responses: {
      '101': {
        description: 'Switching protocols: the WebSocket is open.',
        headers: {
          'Sec-WebSocket-Accept': { required: true, schema: { type: 'string' } },
        },
      },
      '400': problemResponse('Not a WebSocket handshake ws accepts', ['invalid_request'], {
        badHandshake: {
          summary: 'Unsupported version',
          value: problemExample(
            'invalid_request',
            'not a WebSocket handshake: Missing or invalid Sec-WebSocket-Version header',
          ),
        },
      }),
      '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized'], {
        unauthorized: {
          summary: 'No key',
          value: problemExample(
            'unauthorized',
            'an API key is required: send Authorization: Bearer <key>',
          ),
        },
      }),
      '403': problemResponse('The key lacks `accounts:read`', ['forbidden']),
      '404': problemResponse('Not a GET', ['not_found']),
      '429': problemResponse('Too many connections opened by this client', ['rate_limited']),
      '503': problemResponse('Shutting down, or at its connection limit', [
        'unavailable',
        'overloaded',
      ]),
    },
    'x-websocket-messages': {
      client: ref('StreamClientMessage'),
      server: ref('StreamServerMessage'),
    },
  };
}
