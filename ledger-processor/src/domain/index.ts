/**
 * The ledger processor's pure core: deciders, evolve and the batch decider, with the plain types
 * they speak. No I/O in here; the processor shell loads a snapshot, calls `decideBatch` and
 * writes what it returns.
 */
export * from './accountChangeCommand.ts';
export * from './accountChangeDecider.ts';
export * from './accountDecider.ts';
export * from './accountState.ts';
export * from './batchDecider.ts';
export * from './bounds.ts';
export * from './commandChecks.ts';
export * from './commands.ts';
export * from './decided.ts';
export * from './events.ts';
export * from './evolve.ts';
export * from './records.ts';
export * from './rejectionCodes.ts';
export * from './snapshot.ts';
export * from './pendingDecider.ts';
export * from './settlementCommand.ts';
export * from './transferDecider.ts';
