import type { DecisionContext } from './accountDecider.ts';
import type { BatchLedger } from './batchLedger.ts';
import type { SettlePending } from './commands.ts';
import { replayDecision, transferOutcome, type Decided } from './decided.ts';
import type { SettlementRecord } from './records.ts';
import { decideSettlement } from './pendingDecider.ts';

/**
 * A SettlePending against the batch's ledger. A settlement is idempotent by its pending
 * transfer: the one that went ahead owns it, and a repeat of that same request (same hash: a
 * client's retry, or the sweep's second look at an expiry) replays its outcome. Any other
 * settlement of a settled transfer is decided, and refused, as `transfer_not_pending`.
 */
export function decideSettleCommand(
  command: SettlePending,
  ledger: BatchLedger,
  context: DecisionContext,
): Decided {
  const settled = ledger.settlementOf(command.transferId);
  if (settled !== undefined && settled.record.requestHash === command.requestHash) {
    return replayDecision(command, settled.outcome, context.nowMs);
  }
  const decision = decideSettlement(
    command,
    { transfer: ledger.transfer(command.transferId)?.record, settlement: settled?.record },
    { from: ledger.account(command.fromAccountId), to: ledger.account(command.toAccountId) },
    context,
  );
  const code = decision.kind === 'rejected' ? decision.event.code : undefined;
  const outcome = transferOutcome(command, decision.event, code, context.nowMs);
  const event = decision.event;
  const settlement: SettlementRecord | undefined =
    event.type === 'SettlementRejected'
      ? undefined
      : {
          transferId: command.transferId,
          action: command.action,
          amount: event.amount,
          commandId: command.commandId,
          requestHash: command.requestHash,
          decidedAtMs: context.nowMs,
        };
  return {
    decision: { kind: code === undefined ? 'applied' : 'rejected', command, outcome, event },
    ...(settlement === undefined ? {} : { settlement }),
    isNew: true,
  };
}
