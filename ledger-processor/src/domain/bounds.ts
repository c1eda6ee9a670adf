/**
 * The numeric bounds the ledger relies on, each with the reason it holds. The Postgres schema
 * (infra/migrations) uses the same bounds, so a value the deciders accept always fits its column.
 * The contract's bounds have their one home in @ledger/schemas (amounts.ts, fieldRules.ts: leaf
 * modules without I/O, so the domain stays pure); the ones only the deciders need live here.
 */

/** Largest transfer amount and overdraft limit: the contract's range (docs/contract.md), exactly a Postgres bigint. */
export { amountMax } from '@ledger/schemas/amounts';

/**
 * Largest |balance|: numeric(38,0) in Postgres. Balances are not bounded by int64 on purpose:
 * two accounts with the largest overdraft can each send `amountMax` to a third, whose balance is
 * then 2 × amountMax — reachable by any client, so with an int64 column it would need a rejection
 * code the API does not have. With 38 digits the bound cannot be reached: every balance starts at
 * 0 and postings sum to zero, so a positive balance is at most the sum of the other accounts'
 * overdraft limits, below N × amountMax; exceeding 10^38 would need more than 10^19 accounts,
 * far more rows than a Postgres table can hold. Reaching it is therefore an impossible state and
 * the deciders assert it. 38 digits is also the widest decimal most downstream systems carry
 * natively (Avro decimal, Spark, Snowflake), so the ledger's exports never lose precision.
 * The wire contract's balanceAbsMax (@ledger/schemas) is this bound; the deciders call it balanceMax.
 */
export { balanceAbsMax as balanceMax } from '@ledger/schemas/amounts';

/**
 * Versions are JS numbers (docs/contract.md: `version` is a number) and Postgres bigint, and go on
 * the wire as Avro longs: the wire's bound (schemas' longSafeMax, 2^53 − 2) is the decider's, so a
 * version the decider accepts always encodes. One posting per version: at a million postings per
 * second on one account this lasts 285 years.
 */
export { longSafeMax as versionMax } from '@ledger/schemas/fieldRules';

/**
 * Commands decided in one call of `decideBatch`. A Kafka batch larger than this is split by the
 * caller; the bound keeps one Postgres transaction's multi-row statements and its lock set small
 * enough to commit in milliseconds.
 */
export const batchCommandsMax = 10_000;
