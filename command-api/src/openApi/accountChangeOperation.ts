import {
  jsonResponse,
  parameterRef,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  type ExampleSet,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import type { ErrorCode } from '@ledger/runtime';
import { idPattern } from '@ledger/schemas';
import {
  expectedRevisionMax,
  expectedRevisionMin,
  type AccountChangeAction,
} from '../validation/accountChangeValidator.ts';
import { changeAbout, changeExamples, type ChangeExample } from './accountChangeExamples.ts';
import {
  commandIdExample,
  commandResponseHeaders,
  commonCommandProblems,
  missingScopeExample,
  preferParameter,
  unknownFieldExample,
} from './commandParts.ts';

/**
 * `POST /v1/accounts/{accountId}/freeze`, `…/unfreeze`, `…/close` and `…/metadata`; their
 * examples, and the state the contract test seeds for them, are accountChangeExamples.ts.
 */
export function accountChangeOperation(action: AccountChangeAction): JsonObject {
  const { operationId, summary, does, done, revisionAfter } = changeAbout[action];
  const isMetadata = action === 'metadata';
  const examples = changeExamples(action);
  /** The answers (summary, body) of the examples this route has, built from their requests. */
  type Answer = readonly [string, (example: ChangeExample) => JsonObject];
  const answers = (build: Record<string, Answer>): ExampleSet =>
    Object.fromEntries(
      Object.entries(build).flatMap(([name, [summary, answer]]) => {
        const example = examples[name];
        return example === undefined ? [] : [[name, { summary, value: answer(example) }]];
      }),
    );
  const rejected = (summary: string, code: ErrorCode): Answer => [
    summary,
    ({ path }) =>
      problemExample(code, `the ledger processor rejected the command: ${code}`, {
        commandId: commandIdExample,
        accountId: path,
      }),
  ];
  const applied = ({ path }: ChangeExample) => ({
    commandId: commandIdExample,
    status: 'applied',
    accountId: path,
    versions: { [path]: 1 },
    revision: revisionAfter,
  });
  const named = (pick: (example: ChangeExample) => unknown) =>
    Object.fromEntries(
      Object.entries(examples).flatMap(([name, example]) => {
        const value = pick(example);
        return value === undefined ? [] : [[name, { value }]];
      }),
    );
  const keyed = named(({ key }) => key);
  return {
    operationId,
    tags: ['Accounts'],
    summary,
    description: [
      does,
      "Every applied change raises the account's `revision` (1 when opened) by 1 and is answered with it; its `version` (+1 per posting) stays as it was. With `expectedRevision` the change applies only at that revision, else `409 revision_conflict`. The ledger checks, in this order: the account exists (`422 account_not_found`), is not closed (`422 account_closed`), is at the expected revision, then the change's own rule.",
      'Idempotency: send an `Idempotency-Key` to retry safely. The same key on the same account with the same body replays the original command (`Idempotent-Replayed: true`); with another body it is `409 idempotency_conflict`. Without the header the command is its own key: nothing is deduplicated, and a retry is a second change (which `expectedRevision` refuses).',
    ].join('\n\n'),
    security: securedBy('accounts:write'),
    parameters: [
      {
        name: 'accountId',
        in: 'path',
        required: true,
        description: `The account to ${isMetadata ? 'update' : action}.`,
        schema: { type: 'string', pattern: idPattern.source },
        examples: named(({ path }) => path),
      },
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          "Deduplicates the change per account. Absent: the command's own id, so nothing is deduplicated.",
        schema: { type: 'string', pattern: idPattern.source },
        ...(Object.keys(keyed).length === 0 ? {} : { examples: keyed }),
      },
      preferParameter(
        Object.entries(examples)
          .filter(([, { wait }]) => wait === true)
          .map(([name]) => name),
      ),
      parameterRef('XRequestId'),
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: ref(isMetadata ? 'AccountMetadataRequest' : 'AccountStatusChangeRequest'),
          examples: Object.fromEntries(
            Object.entries(examples).map(([name, { summary, value }]) => [
              name,
              { summary, value },
            ]),
          ),
        },
      },
    },
    responses: {
      '201': jsonResponse(
        "Applied (with `Prefer: wait`): the account's version, unchanged, and its new revision.",
        ref('AccountChangeApplied'),
        answers({
          [done]: ['Applied', applied],
          replayed: ['Replayed (header Idempotent-Replayed: true)', applied],
        }),
        commandResponseHeaders,
      ),
      '202': jsonResponse(
        'Accepted: published to Kafka, not decided yet (or not within the wait).',
        ref('AccountAccepted'),
        answers({
          accepted: [
            'Accepted',
            ({ path }) => ({ commandId: commandIdExample, status: 'accepted', accountId: path }),
          ],
        }),
        commandResponseHeaders,
      ),
      ...commonCommandProblems(
        {
          ...unknownFieldExample,
          ...answers({
            missingMetadata: [
              'No metadata',
              () =>
                problemExample('invalid_request', 'missing field "metadata" in the request body', {
                  field: 'metadata',
                }),
            ],
            badRevision: [
              'Not a revision',
              () =>
                problemExample(
                  'invalid_request',
                  `expectedRevision must be a whole number from ${expectedRevisionMin} to ${expectedRevisionMax}`,
                ),
            ],
          }),
        },
        missingScopeExample('accounts:write'),
      ),
      '409': problemResponse(
        'Decided by the ledger processor (with `Prefer: wait`): the account is at another revision, or in a status the change does not apply to; or, at once, the Idempotency-Key was used on this account with another body',
        [
          'revision_conflict',
          ...(action === 'freeze' || action === 'unfreeze'
            ? (['account_status_conflict'] as const)
            : []),
          'idempotency_conflict',
        ],
        answers({
          revisionConflict: rejected('At another revision', 'revision_conflict'),
          statusConflict: rejected(
            action === 'freeze' ? 'Not open' : 'Not frozen',
            'account_status_conflict',
          ),
          keyReused: [
            'Key reused with another body',
            ({ key, path }) =>
              problemExample(
                'idempotency_conflict',
                `idempotency key ${key ?? ''} was used with a different body`,
                { commandId: commandIdExample, accountId: path },
              ),
          ],
        }),
      ),
      '422': problemResponse(
        'Rejected by the ledger processor (with `Prefer: wait`); carries commandId and accountId',
        [
          'account_not_found',
          'account_closed',
          ...(action === 'close' ? (['account_not_empty'] as const) : []),
        ],
        answers({
          notFound: rejected('No such account', 'account_not_found'),
          alreadyClosed: rejected('Closed', 'account_closed'),
          notEmpty: rejected('Money or holds left', 'account_not_empty'),
        }),
      ),
    },
  };
}
