import { accountChangeRejectionCodes } from '@ledger/runtime';
import type {
  AccountChangedRecord,
  AccountChangeRejectedRecord,
  ChangeAccountRecord,
} from './avroRecordTypes.ts';
import type {
  AccountChange,
  AccountChanged,
  AccountChangeRejected,
  AccountStatus,
  ChangeAccount,
  Metadata,
} from './domainTypes.ts';
import {
  accountChanges,
  accountStatuses,
  checkId,
  checkOneOf,
  checkSafeInteger,
} from './fieldRules.ts';
import { checkMetadata } from './metadataLimits.ts';
import { WireContractError } from './wireContractError.ts';

/**
 * Account changes on the wire (v4 on): the ChangeAccount command and its two outcomes. Besides
 * formats they hold the facts consumers rely on: metadata travels exactly with update_metadata,
 * an applied change is at revision 2 or more (1 is the opening), and the status it states is
 * the one its change leads to, so a read model can apply an AccountChanged without deciding.
 */

/** The statuses an account may be in right after each change. */
const statusesAfter: Readonly<Record<AccountChange, readonly AccountStatus[]>> = {
  freeze: ['frozen'],
  unfreeze: ['open'],
  close: ['closed'],
  // Metadata changes on open and frozen accounts only, and leave the status as it was.
  update_metadata: ['open', 'frozen'],
};

export function changeAccountToAvro(command: ChangeAccount): ChangeAccountRecord {
  const change = checkChange(command.change);
  checkMetadataShape(change, command.metadata !== undefined);
  const { metadata, expectedRevision } = command;
  return {
    accountId: checkId(command.accountId, 'payload.accountId'),
    change,
    metadata:
      metadata === undefined ? null : { map: { ...checkMetadata(metadata, 'payload.metadata') } },
    expectedRevision:
      expectedRevision === undefined ? null : { long: checkExpectedRevision(expectedRevision) },
  };
}

export function changeAccountFromAvro(record: ChangeAccountRecord): ChangeAccount {
  const change = checkChange(record.change);
  checkMetadataShape(change, record.metadata !== null);
  const metadata: Metadata | undefined =
    record.metadata === null ? undefined : checkMetadata(record.metadata.map, 'payload.metadata');
  const expected = record.expectedRevision;
  return {
    type: 'ChangeAccount',
    accountId: checkId(record.accountId, 'payload.accountId'),
    change,
    ...(metadata === undefined ? {} : { metadata }),
    ...(expected === null ? {} : { expectedRevision: checkExpectedRevision(expected.long) }),
  };
}

export function accountChangedToAvro(event: AccountChanged): AccountChangedRecord {
  return {
    ...accountChangedFields(event),
    metadata: { ...checkMetadata(event.metadata, 'payload.metadata') },
  };
}

export function accountChangedFromAvro(record: AccountChangedRecord): AccountChanged {
  return {
    type: 'AccountChanged',
    ...accountChangedFields(record),
    metadata: checkMetadata(record.metadata, 'payload.metadata'),
  };
}

export function accountChangeRejectedToAvro(
  event: AccountChangeRejected,
): AccountChangeRejectedRecord {
  return changeRejectedFields(event);
}

export function accountChangeRejectedFromAvro(
  record: AccountChangeRejectedRecord,
): AccountChangeRejected {
  return { type: 'AccountChangeRejected', ...changeRejectedFields(record) };
}

/** An AccountChanged's fields but its metadata, checked the same way in both directions. */
function accountChangedFields(source: AccountChanged | AccountChangedRecord) {
  const change = checkChange(source.change);
  const status = checkOneOf(source.status, accountStatuses, 'payload.status');
  if (!statusesAfter[change].includes(status)) {
    throw new WireContractError(
      'invalid_request',
      'payload.status',
      `${change} leaves an account ${statusesAfter[change].join(' or ')}, not ${status}`,
    );
  }
  return {
    accountId: checkId(source.accountId, 'payload.accountId'),
    change,
    status,
    // An account opens at revision 1; every applied change raises it.
    revision: checkSafeInteger(source.revision, 'payload.revision', 2),
    version: checkSafeInteger(source.version, 'payload.version', 1),
  };
}

function changeRejectedFields(source: AccountChangeRejected | AccountChangeRejectedRecord) {
  return {
    accountId: checkId(source.accountId, 'payload.accountId'),
    change: checkChange(source.change),
    code: checkOneOf(source.code, accountChangeRejectionCodes, 'payload.code'),
  };
}

function checkChange(change: string): AccountChange {
  return checkOneOf(change, accountChanges, 'payload.change');
}

/** Metadata exactly on update_metadata: it replaces the whole map, so it is never implied. */
function checkMetadataShape(change: AccountChange, hasMetadata: boolean): void {
  if (hasMetadata !== (change === 'update_metadata')) {
    throw new WireContractError(
      'invalid_request',
      'payload.metadata',
      'set exactly on an update_metadata',
    );
  }
}

function checkExpectedRevision(revision: number): number {
  return checkSafeInteger(revision, 'payload.expectedRevision', 1);
}
