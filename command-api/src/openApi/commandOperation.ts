import {
  jsonResponse,
  parameterRef,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { idPattern } from '@ledger/schemas';
import { commandIdExample } from './commandParts.ts';

/** `GET /v1/commands/{commandId}`. */
export function commandOperation(): JsonObject {
  return {
    operationId: 'getCommand',
    tags: ['Commands'],
    summary: "A command's state",
    description:
      "For a key with a tenant, an applied command none of whose accounts is the tenant's is a 404, as for an unknown id.",
    security: securedBy('accounts:read'),
    parameters: [
      {
        name: 'commandId',
        in: 'path',
        required: true,
        description: 'From the `Location` or body of the response that accepted the command.',
        schema: ref('Id'),
        examples: {
          applied: { summary: 'An applied command', value: commandIdExample },
          rejected: {
            summary: 'A rejected command',
            value: '0197c2a4-5b1e-7c3d-9f20-6a1b2c3d4e60',
          },
          notFound: {
            summary: 'An unknown command',
            value: '0197c2a4-0000-7000-8000-000000000000',
          },
          invalidId: { summary: 'Not an id', value: 'not an id' },
        },
      },
      parameterRef('XRequestId'),
    ],
    responses: {
      '200': jsonResponse('The state.', ref('CommandState'), {
        applied: {
          summary: 'Applied',
          value: {
            commandId: commandIdExample,
            status: 'applied',
            versions: { funding: 2, payee: 2 },
          },
        },
        rejected: {
          summary: 'Rejected',
          value: {
            commandId: '0197c2a4-5b1e-7c3d-9f20-6a1b2c3d4e60',
            status: 'rejected',
            code: 'insufficient_funds',
          },
        },
      }),
      '400': problemResponse('Not an id', ['invalid_id'], {
        invalidId: {
          summary: 'Bad id',
          value: problemExample('invalid_id', `commandId must match ${idPattern.source}`),
        },
      }),
      '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized']),
      '403': problemResponse('The key lacks `accounts:read`', ['forbidden']),
      '404': problemResponse("No such command (or not the tenant's)", ['not_found'], {
        notFound: {
          summary: 'Unknown',
          value: problemExample('not_found', 'no command 0197c2a4-0000-7000-8000-000000000000'),
        },
      }),
      '429': problemResponse('Too many requests from this client', ['rate_limited']),
    },
  };
}
