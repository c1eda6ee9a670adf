import type { Context } from '@opentelemetry/api';
import {
  LedgerError,
  endSpanWithError,
  hashAmount,
  maskAccountId,
  type Logger,
} from '@ledger/runtime';
import type {
  AcceptRecord,
  ClaimResult,
  CommandPublisher,
  IdempotencyClaim,
  IdempotencyScope,
  IdempotencyStore,
} from './appDeps.ts';
import { isKeyConflict, originalOf } from './appDeps.ts';
import type { CommandApiMetrics } from './commandApiMetrics.ts';
import { assertNever, partitionKeyOf, subjectOf, type AcceptedCommand } from './commands.ts';
import { startCommandsSend } from './http/traceContext.ts';

/** What became of one command at the edge. */
export type AcceptResult =
  | { readonly kind: 'accepted'; readonly commandId: string; readonly subjectId: string }
  | { readonly kind: 'replayed'; readonly commandId: string; readonly subjectId: string }
  | { readonly kind: 'refused'; readonly error: LedgerError };

export interface AcceptorDeps {
  readonly publisher: CommandPublisher;
  readonly idempotency: IdempotencyStore;
  readonly metrics: CommandApiMetrics;
}

export interface RequestTrace {
  readonly requestId: string;
  /** The request span's context: the parent of the commands' `send` span. */
  readonly context: Context;
  readonly log: Logger;
}

/**
 * Accepts validated commands: claim each idempotency key, publish the winners to Kafka in one
 * call (resolved on acks=all), then confirm them. Same key and same hash = a replay of the
 * original command; same key, other hash = a conflict. Results come back in input order.
 *
 * If publishing fails nothing was accepted: the claims are released so the client's retry is a
 * fresh attempt, and the error propagates (503). A claim or confirm failing (Redis) is logged
 * and ignored: the processor's unique constraint is the real exactly-once guard.
 *
 * A published command whose claim was unverified (Redis down, or taken over from a dead owner)
 * may repeat an earlier command the store could not see: the ledger's decision, when it comes
 * within the store's bound, tells. A duplicate is answered as a replay of the original (its id,
 * `Idempotent-Replayed`), a key conflict as 409, exactly as a verified claim would have been.
 */
export async function acceptCommands(
  commands: readonly AcceptedCommand[],
  deps: AcceptorDeps,
  trace: RequestTrace,
): Promise<readonly AcceptResult[]> {
  const claims = commands.map(claimFor);
  const existing = await claimOrAssumeNew(claims, deps.idempotency, trace.log);
  const results: AcceptResult[] = [];
  const toPublish: Published[] = [];
  commands.forEach((command, index) => {
    const claim = claims[index] as IdempotencyClaim;
    const { previous, verified } = existing[index] ?? { previous: undefined, verified: false };
    if (previous === undefined) {
      toPublish.push({ command, claim, verified, index });
      results.push({
        kind: 'accepted',
        commandId: command.commandId,
        subjectId: claim.record.subjectId,
      });
    } else if (previous.requestHash === command.requestHash) {
      deps.metrics.commands.inc({ type: command.payload.type, result: 'replayed' });
      results.push({
        kind: 'replayed',
        commandId: previous.commandId,
        subjectId: previous.subjectId,
      });
    } else {
      deps.metrics.commands.inc({ type: command.payload.type, result: 'conflict' });
      results.push({ kind: 'refused', error: conflictError(command, previous) });
    }
  });
  if (toPublish.length === 0) return results;

  const send = startCommandsSend(
    deps.publisher.topic,
    toPublish.map(({ command }) => command),
    trace.context,
  );
  try {
    await deps.publisher.publish(
      toPublish.map(({ command }) => ({
        command,
        key: partitionKeyOf(command),
        traceparent: send.traceparent,
        requestId: trace.requestId,
      })),
    );
    send.span.end();
  } catch (error) {
    endSpanWithError(send.span, error);
    await deps.idempotency
      .release(toPublish.map(({ claim }) => claim))
      .catch((releaseError: unknown) => {
        trace.log.warn('could not release idempotency claims after a failed publish', {
          error: releaseError,
        });
      });
    for (const { command } of toPublish)
      deps.metrics.commands.inc({ type: command.payload.type, result: 'publish_failed' });
    throw error instanceof LedgerError
      ? error
      : new LedgerError('overloaded', 'the command log is not reachable; retry later', {
          retryAfterSeconds: 1,
          cause: error,
        });
  }
  for (const { command } of toPublish) {
    deps.metrics.commands.inc({ type: command.payload.type, result: 'accepted' });
    trace.log.debug('command accepted', describeForLog(command));
  }
  await deps.idempotency.confirm(toPublish.map(({ claim }) => claim)).catch((error: unknown) => {
    trace.log.warn('could not record accepted commands (GET /v1/commands may lag)', { error });
  });
  const unverified = toPublish.filter(({ verified }) => !verified);
  if (unverified.length > 0) await answerFromLedger(unverified, results, deps, trace.log);
  return results;
}

interface Published {
  readonly command: AcceptedCommand;
  readonly claim: IdempotencyClaim;
  readonly verified: boolean;
  /** Its place in the results. */
  readonly index: number;
}

/**
 * Rewrites the results of published, unverified commands from the ledger's decisions: a
 * duplicate becomes a replay of the original, a key conflict a refusal; a new command, or one
 * not decided within the store's bound, stays accepted.
 */
async function answerFromLedger(
  unverified: readonly Published[],
  results: AcceptResult[],
  deps: AcceptorDeps,
  log: Logger,
): Promise<void> {
  const decisions = await deps.idempotency
    .settle(unverified.map(({ claim }) => claim))
    .catch((error: unknown) => {
      log.warn('could not read the decisions of unverified commands', { error });
      return new Map<string, never>();
    });
  const originals = new Map<string, AcceptResult>();
  for (const { command, index } of unverified) {
    const decision = decisions.get(command.commandId);
    const originalId = decision && originalOf(decision, command.commandId);
    if (decision === undefined) {
      deps.metrics.ledgerChecks.inc({ result: 'undecided' });
    } else if (originalId !== undefined) {
      const original: AcceptResult = {
        kind: 'replayed',
        commandId: originalId,
        subjectId: decision.subjectId,
      };
      results[index] = original;
      originals.set(command.commandId, original);
      deps.metrics.ledgerChecks.inc({ result: 'replayed' });
    } else if (isKeyConflict(decision)) {
      results[index] = {
        kind: 'refused',
        error: conflictError(command, {
          commandId: command.commandId,
          subjectId: decision.subjectId,
        }),
      };
      deps.metrics.ledgerChecks.inc({ result: 'conflict' });
    } else {
      deps.metrics.ledgerChecks.inc({ result: 'new' });
    }
  }
  // A later item of the same request that replayed one of these follows it to its original.
  results.forEach((result, index) => {
    const original = result.kind === 'replayed' ? originals.get(result.commandId) : undefined;
    if (original !== undefined) results[index] = original;
  });
}

export function scopeOf(command: AcceptedCommand): IdempotencyScope {
  switch (command.payload.type) {
    case 'OpenAccount':
      return 'account';
    case 'Transfer':
      return 'transfer';
    case 'SettlePending':
      return 'settlement';
    case 'ChangeAccount':
      return 'account_change';
    default:
      return assertNever(command.payload);
  }
}

function claimFor(command: AcceptedCommand): IdempotencyClaim {
  const record: AcceptRecord = {
    commandId: command.commandId,
    requestHash: command.requestHash,
    subjectId: subjectOf(command).id,
  };
  return { scope: scopeOf(command), key: claimKeyOf(command), record };
}

/** The key a command claims within its scope. */
function claimKeyOf(command: AcceptedCommand): string {
  const { payload, idempotencyKey } = command;
  switch (payload.type) {
    case 'OpenAccount':
    case 'Transfer':
      return idempotencyKey;
    case 'SettlePending':
      // A settlement's claim is its exact content: a retry of it replays, but a different one (a
      // void after a refused post, a post of another amount) is no conflict here — the processor
      // decides whether the transfer is still pending (transfer_not_pending).
      return `${idempotencyKey}:${command.requestHash}`;
    case 'ChangeAccount':
      // Keys are the client's per account, as the processor holds them: the same key on two
      // accounts is two changes. Ids never hold a '/', so account and key cannot run together.
      return `${payload.accountId}/${idempotencyKey}`;
    default:
      return assertNever(payload);
  }
}

async function claimOrAssumeNew(
  claims: readonly IdempotencyClaim[],
  idempotency: IdempotencyStore,
  log: Logger,
): Promise<readonly ClaimResult[]> {
  try {
    return await idempotency.claim(claims);
  } catch (error) {
    log.warn('idempotency store failed: accepting, the ledger will tell replays', { error });
    return claims.map(() => ({ previous: undefined, verified: false }));
  }
}

/** Same key, other content; `previous` names the command the problem points to. */
function conflictError(
  command: AcceptedCommand,
  previous: Pick<AcceptRecord, 'commandId' | 'subjectId'>,
): LedgerError {
  const extra = { commandId: previous.commandId, [subjectOf(command).field]: previous.subjectId };
  return command.payload.type === 'OpenAccount'
    ? new LedgerError('account_exists', 'the account was opened with a different body', { extra })
    : new LedgerError(
        'idempotency_conflict',
        `idempotency key ${command.idempotencyKey} was used with a different body`,
        { extra },
      );
}

/** Log fields for a command: account ids masked, amounts hashed (logger.ts). */
export function describeForLog(command: AcceptedCommand): Record<string, unknown> {
  const { payload } = command;
  switch (payload.type) {
    case 'OpenAccount':
      return {
        type: payload.type,
        commandId: command.commandId,
        accountId: maskAccountId(payload.accountId),
      };
    case 'Transfer':
      return {
        type: payload.type,
        commandId: command.commandId,
        transferId: payload.transferId,
        fromAccountId: maskAccountId(payload.fromAccountId),
        toAccountId: maskAccountId(payload.toAccountId),
        amountHash: hashAmount(payload.amount),
      };
    case 'SettlePending':
      return {
        type: payload.type,
        commandId: command.commandId,
        transferId: payload.transferId,
        action: payload.action,
        fromAccountId: maskAccountId(payload.fromAccountId),
        toAccountId: maskAccountId(payload.toAccountId),
        ...(payload.amount === undefined ? {} : { amountHash: hashAmount(payload.amount) }),
      };
    case 'ChangeAccount':
      // The metadata stays out, like every other command's: it is the client's free text.
      return {
        type: payload.type,
        commandId: command.commandId,
        accountId: maskAccountId(payload.accountId),
        change: payload.change,
      };
    default:
      return assertNever(payload);
  }
}
