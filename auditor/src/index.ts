// @ledger/auditor: proves the ledger's invariants from the events topic alone (see README.md).
export * from './auditLimits.ts';
export * from './auditState.ts';
export * from './auditRun.ts';
export * from './auditMetrics.ts';
export * from './signedSummary.ts';
export * from './logDigest.ts';
export * from './violationReport.ts';
