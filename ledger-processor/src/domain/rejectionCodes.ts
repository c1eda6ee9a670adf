/**
 * The codes a decision may carry, from runtime's error catalogue (their one home): the
 * rejections of transfers, settlements and account changes in the order the deciders check
 * them, and every code a command outcome may carry. errors.ts is a leaf module without I/O, so
 * the domain stays pure.
 */
export {
  accountChangeRejectionCodes,
  settlementRejectionCodes,
  transferRejectionCodes,
  type AccountChangeRejectionCode,
  type SettlementRejectionCode,
  type OutcomeCode,
  type TransferRejectionCode,
} from '@ledger/runtime/errors';
