import type { JsonObject } from '@ledger/schemas/openApiParts';
import type { AccountChangeAction } from '../validation/accountChangeValidator.ts';

/**
 * The examples of the account change operations (accountChangeOperation.ts), replayed in order by
 * the contract test (e2e openApiContract.int.test.ts), which seeds besides alice (open, funded,
 * revision 1): frost, frost-2, empty, empty-2, tagged (open, nothing on them), icy, thaw, thaw-2
 * (frozen, revision 2) and gone (closed). A refused example changes nothing, so those share
 * alice; the ones a key refuses name nobody, so they change nothing even when sent with a key.
 */

/** One request example, named like the answer it pairs with. */
export interface ChangeExample {
  readonly summary: string;
  readonly value: JsonObject;
  /** The accountId in the path. */
  readonly path: string;
  /** Sent with `Prefer: wait=5`. */
  readonly wait?: true;
  /** Sent with this `Idempotency-Key`. */
  readonly key?: string;
}

/** What each route says of itself, and the name and revision of the example that applies it. */
export const changeAbout: Readonly<
  Record<
    AccountChangeAction,
    {
      readonly operationId: string;
      readonly summary: string;
      readonly does: string;
      readonly done: string;
      readonly revisionAfter: number;
    }
  >
> = {
  freeze: {
    operationId: 'freezeAccount',
    summary: 'Freeze an open account',
    does: 'Open → frozen. A frozen account takes no postings and no new holds, on either side (transfers, reversals and posts touching it are `422 account_closed`); voids and expiries of its holds still apply. Freezing an account that is not open is `409 account_status_conflict`.',
    done: 'frozen',
    revisionAfter: 2,
  },
  unfreeze: {
    operationId: 'unfreezeAccount',
    summary: 'Unfreeze a frozen account',
    does: 'Frozen → open. Unfreezing an account that is not frozen is `409 account_status_conflict`.',
    done: 'unfrozen',
    revisionAfter: 3,
  },
  close: {
    operationId: 'closeAccount',
    summary: 'Close an empty account',
    does: 'Open or frozen → closed, for good: only an account with a balance of 0 and nothing held (no pending transfer) closes (else `422 account_not_empty`), and a closed account takes nothing and changes no more (`422 account_closed`).',
    done: 'closed',
    revisionAfter: 2,
  },
  metadata: {
    operationId: 'updateAccountMetadata',
    summary: "Replace an account's metadata",
    does: 'Replaces the whole metadata map of an open or frozen account (the limits of an opening apply; `{}` clears it). Its status stays.',
    done: 'updated',
    revisionAfter: 2,
  },
};

const applying: Readonly<Record<AccountChangeAction, ChangeExample>> = {
  freeze: { summary: 'Freeze and wait', value: {}, path: 'frost', wait: true, key: 'freeze-1' },
  unfreeze: { summary: 'Unfreeze and wait', value: {}, path: 'thaw', wait: true },
  close: {
    summary: 'Close at revision 1 and wait',
    value: { expectedRevision: 1 },
    path: 'empty',
    wait: true,
  },
  metadata: {
    summary: 'Replace the metadata at revision 1 and wait',
    value: { metadata: { name: 'Tagged Ltd', tier: 'gold' }, expectedRevision: 1 },
    path: 'tagged',
    wait: true,
  },
};

const accepted: Readonly<Record<AccountChangeAction, ChangeExample>> = {
  freeze: {
    summary: 'Freeze at revision 1 without waiting',
    value: { expectedRevision: 1 },
    path: 'frost-2',
  },
  unfreeze: { summary: 'Unfreeze without waiting', value: {}, path: 'thaw-2' },
  close: { summary: 'Close without waiting', value: {}, path: 'empty-2' },
  metadata: {
    summary: 'Clear the metadata without waiting',
    value: { metadata: {} },
    path: 'tagged',
  },
};

/** The request examples of one route, by the name of the answer each pairs with. */
export function changeExamples(action: AccountChangeAction): Record<string, ChangeExample> {
  const isMetadata = action === 'metadata';
  // The least body the route takes: only the 400 examples break the schema.
  const least: JsonObject = isMetadata ? { metadata: {} } : {};
  const refused = (summary: string, path: string, value = least): ChangeExample => ({
    summary,
    value,
    path,
    wait: true,
  });
  const done = applying[action];
  const examples: Record<string, ChangeExample> = {
    [changeAbout[action].done]: done,
  };
  if (action === 'freeze') {
    examples.replayed = { ...done, summary: 'The same request and key again: the original, once' };
  }
  examples.accepted = accepted[action];
  examples.unknownField = {
    summary: 'A field the schema does not have',
    value: { memo: 'x' },
    path: 'alice',
  };
  if (isMetadata) {
    examples.missingMetadata = {
      summary: 'No metadata to replace with',
      value: { expectedRevision: 1 },
      path: 'alice',
    };
  } else {
    examples.badRevision = {
      summary: 'A revision below 1',
      value: { expectedRevision: 0 },
      path: 'alice',
    };
  }
  examples.unauthorized = { summary: 'No key (keys on)', value: least, path: 'nobody' };
  examples.forbidden = { summary: 'A key without accounts:write', value: least, path: 'nobody' };
  examples.revisionConflict = refused('Another revision expected', 'alice', {
    ...least,
    expectedRevision: 9,
  });
  if (action === 'freeze') examples.statusConflict = refused('Frozen already', 'icy');
  if (action === 'unfreeze') examples.statusConflict = refused('An open account', 'alice');
  if (action === 'freeze') {
    examples.keyReused = {
      summary: 'The key of the freeze above with another body',
      value: { expectedRevision: 1 },
      path: done.path,
      ...(done.key === undefined ? {} : { key: done.key }),
    };
  }
  examples.notFound = refused('An account that does not exist', 'nobody');
  examples.alreadyClosed = refused('A closed account', 'gone');
  if (action === 'close') examples.notEmpty = refused('An account with money on it', 'alice');
  return examples;
}
