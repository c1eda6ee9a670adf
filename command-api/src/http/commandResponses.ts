import type { Request, Response } from 'express';
import { LedgerError, checkAccounts, type Logger } from '@ledger/runtime';
import type { CommandState, IdempotencyStore, OutcomeWaiter } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';
import { acceptCommands, type AcceptResult } from '../commandAcceptor.ts';
import { accountsOf, type AcceptedCommand } from '../commands.ts';
import { principalOf } from './authMiddleware.ts';
import { parsePreferWait } from './preferWait.ts';
import { sendProblem } from './problemMiddleware.ts';
import { requestTrace, type RouteDeps } from './routeSupport.ts';

export interface ResponderDeps {
  readonly idempotency: IdempotencyStore;
  readonly outcomes: OutcomeWaiter;
  readonly metrics: CommandApiMetrics;
}

export type SubjectField = 'accountId' | 'transferId';

/** The state of each accepted/replayed command, after an optional wait for its outcome. */
export interface ResolvedStates {
  readonly states: ReadonlyMap<string, CommandState>;
  /** True when a `Prefer: wait` was honoured (→ `Preference-Applied`). */
  readonly waited: boolean;
}

/**
 * Finds the current state of every command that was accepted (state "accepted") or replayed
 * (its original's state, read from the idempotency store), then — with `Prefer: wait` — waits
 * for the outcomes of those still undecided. A replay whose original is unknown was accepted
 * concurrently and not yet acknowledged: it is left out and answered 503 by the caller.
 */
export async function resolveStates(
  results: readonly AcceptResult[],
  waitSeconds: number | undefined,
  deps: ResponderDeps,
  log: Logger,
): Promise<ResolvedStates> {
  const states = new Map<string, CommandState>();
  const replayedIds: string[] = [];
  for (const result of results) {
    if (result.kind === 'accepted')
      states.set(result.commandId, { status: 'accepted', commandId: result.commandId });
    if (result.kind === 'replayed') replayedIds.push(result.commandId);
  }
  if (replayedIds.length > 0) {
    const known = await deps.idempotency.states(replayedIds).catch((error: unknown) => {
      log.warn('could not read the state of replayed commands', { error });
      return new Map<string, CommandState>();
    });
    for (const [commandId, state] of known) states.set(commandId, state);
  }
  if (waitSeconds === undefined) return { states, waited: false };
  const undecided = [...states.values()]
    .filter((state) => state.status === 'accepted')
    .map((state) => state.commandId);
  if (undecided.length === 0) return { states, waited: true };
  const wait = await deps.outcomes.waitFor(undecided, waitSeconds * 1_000);
  for (const [commandId, outcome] of wait.outcomes) states.set(commandId, outcome);
  deps.metrics.waits.inc({
    result: !wait.waited
      ? 'not_waited'
      : wait.outcomes.size === undecided.length
        ? 'decided'
        : 'timeout',
  });
  return { states, waited: wait.waited };
}

/**
 * A route of one command (an account opened or changed, a transfer, a reversal, a settlement)
 * after validation: refuse accounts outside the key's tenant (403), accept the one command, wait
 * for its outcome when the request prefers to, and answer from its state.
 */
export async function answerCommand(
  request: Request,
  response: Response,
  deps: RouteDeps,
  command: AcceptedCommand,
  subjectField: SubjectField,
): Promise<void> {
  const forbidden = checkAccounts(principalOf(response), accountsOf(command));
  if (forbidden !== undefined) throw forbidden;
  const waitSeconds = parsePreferWait(request.get('prefer'));
  const trace = requestTrace(request, response);
  const results = await acceptCommands([command], deps, trace);
  const resolved = await resolveStates(results, waitSeconds, deps, trace.log);
  const [result] = results;
  if (result === undefined) throw new Error('acceptCommands returned no result');
  sendCommandResponse(response, result, resolved, subjectField, waitSeconds);
}

/** Answers one command from its resolved state. */
function sendCommandResponse(
  response: Response,
  result: AcceptResult,
  resolved: ResolvedStates,
  subjectField: SubjectField,
  waitSeconds: number | undefined,
): void {
  if (result.kind === 'refused') {
    sendProblem(response, result.error);
    return;
  }
  if (result.kind === 'replayed') response.setHeader('Idempotent-Replayed', 'true');
  if (resolved.waited && waitSeconds !== undefined)
    response.setHeader('Preference-Applied', `wait=${waitSeconds}`);
  const state = resolved.states.get(result.commandId);
  if (state === undefined) {
    sendProblem(response, stillAcceptingError(result.commandId));
    return;
  }
  const subject = { [subjectField]: result.subjectId };
  switch (state.status) {
    case 'accepted':
      response.setHeader('Location', commandLocation(state.commandId));
      response.status(202).json({ commandId: state.commandId, status: 'accepted', ...subject });
      return;
    case 'applied':
      response.setHeader('Location', commandLocation(state.commandId));
      response.status(201).json(appliedBody(state, subject));
      return;
    case 'rejected':
      sendProblem(response, rejectionError(state.code, state.commandId, subject));
      return;
  }
}

export function commandLocation(commandId: string): string {
  return `/v1/commands/${encodeURIComponent(commandId)}`;
}

export function appliedBody(
  state: Extract<CommandState, { status: 'applied' }>,
  subject: Record<string, string>,
): Record<string, unknown> {
  return {
    commandId: state.commandId,
    status: 'applied',
    ...subject,
    versions: state.versions,
    ...(state.balances === undefined ? {} : { balances: state.balances }),
    ...(state.revision === undefined ? {} : { revision: state.revision }),
  };
}

export function rejectionError(
  code: Extract<CommandState, { status: 'rejected' }>['code'],
  commandId: string,
  subject: Record<string, string>,
): LedgerError {
  return new LedgerError(code, `the ledger processor rejected the command: ${code}`, {
    extra: { commandId, ...subject },
  });
}

export function stillAcceptingError(commandId: string): LedgerError {
  return new LedgerError(
    'overloaded',
    'the original request with this idempotency key is still being accepted; retry',
    { retryAfterSeconds: 1, extra: { commandId } },
  );
}
