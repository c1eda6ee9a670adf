import type pg from 'pg';
import type { DecidedTransfer, TransferLookup } from '../appDeps.ts';

/**
 * The transfers row a reversal is built from (infra/migrations 0003, 0015): read from the ledger
 * of record, which the processor writes before it publishes anything, so a transfer whose outcome
 * a client saw is always found. One primary-key probe.
 */
const transferByIdSql = `
  select transfer_id, from_account_id, to_account_id, amount, currency, status
    from transfers
   where transfer_id = $1`;

interface TransferRow {
  transfer_id: string;
  from_account_id: string;
  to_account_id: string;
  /** int8 arrives as a string (runtime/postgresPool.ts). */
  amount: string;
  currency: string;
  status: DecidedTransfer['status'];
}

export function createTransferLookup(pool: Pick<pg.Pool, 'query'>): TransferLookup {
  return {
    async find(transferId) {
      const { rows } = await pool.query<TransferRow>(transferByIdSql, [transferId]);
      const row = rows[0];
      if (row === undefined) return undefined;
      return {
        transferId: row.transfer_id,
        fromAccountId: row.from_account_id,
        toAccountId: row.to_account_id,
        amount: BigInt(row.amount),
        currency: row.currency.trim(),
        status: row.status,
      };
    },
  };
}
