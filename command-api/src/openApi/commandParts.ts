import {
  headerRef,
  jsonResponse,
  problemExample,
  problemResponse,
  ref,
  type ExampleSet,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { waitSecondsMax } from '../http/preferWait.ts';

// What the command API's operations share: the example command id, the Prefer parameter, the
// headers a command answer carries and the refusals every POST may meet.

export const commandIdExample = '0197c2a4-5b1e-7c3d-9f20-6a1b2c3d4e5f';

/** `Prefer: wait=N`, with an example for each of the operation's examples that waits. */
export function preferParameter(waiting: readonly string[]): JsonObject {
  return {
    name: 'Prefer',
    in: 'header',
    required: false,
    description: `RFC 7240 \`wait=N\`: wait up to N seconds (capped at ${waitSecondsMax}) for the ledger's decision. Other preferences, and an unusable \`wait\`, are ignored.`,
    schema: { type: 'string' },
    examples: Object.fromEntries(
      waiting.map((name) => [name, { summary: 'Wait up to 5 s', value: 'wait=5' }]),
    ),
  };
}

export const commandResponseHeaders = {
  Location: headerRef('Location'),
  'Idempotent-Replayed': headerRef('IdempotentReplayed'),
  'Preference-Applied': headerRef('PreferenceApplied'),
};

/** A transfer command's answers: `201` applied (after a wait) and `202` accepted. */
export function transferAnswers(what: string, applied: ExampleSet, accepted: ExampleSet) {
  return {
    '201': jsonResponse(
      `Applied (with \`Prefer: wait\`): versions and balances after the ${what}.`,
      ref('TransferApplied'),
      applied,
      commandResponseHeaders,
    ),
    '202': jsonResponse(
      'Accepted: published to Kafka, not decided yet (or not within the wait).',
      ref('TransferAccepted'),
      accepted,
      commandResponseHeaders,
    ),
  };
}

/** The `forbidden` example of an operation: a key without its scope. */
export function missingScopeExample(scope: string): ExampleSet {
  return {
    forbidden: {
      summary: 'Missing scope',
      value: problemExample('forbidden', `this API key lacks the ${scope} scope`),
    },
  };
}

/** The `unknownField` example: a body with a field the strict schema does not have. */
export const unknownFieldExample: ExampleSet = {
  unknownField: {
    summary: 'Strict schema',
    value: problemExample('invalid_request', 'unknown field "memo" in the request body', {
      field: 'memo',
    }),
  },
};

/** Refusals every POST may meet before or after validation. */
export function commonCommandProblems(badRequest: ExampleSet, forbidden: ExampleSet): JsonObject {
  return {
    '400': problemResponse(
      'Invalid body',
      ['invalid_request', 'invalid_id', 'invalid_amount', 'same_account'],
      badRequest,
    ),
    '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized'], {
      unauthorized: {
        summary: 'No Authorization header',
        value: problemExample(
          'unauthorized',
          'an API key is required: send Authorization: Bearer <key>',
        ),
      },
    }),
    '403': problemResponse(
      "The key lacks the route's scope, or names an account outside its tenant",
      ['forbidden'],
      forbidden,
    ),
    '413': problemResponse('Body too large', ['payload_too_large']),
    '415': problemResponse('Body not declared JSON', ['unsupported_media_type']),
    '429': problemResponse('Too many requests from this client', ['rate_limited']),
    '503': problemResponse(
      'Processor lag over the bound, Kafka not acknowledging, draining, or the original request still being accepted',
      ['overloaded'],
    ),
  };
}
