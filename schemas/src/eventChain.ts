import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson.ts';
import type { ChainLink, LedgerEvent } from './domainTypes.ts';

/**
 * The hash chain of `ledger.events` (tamper evidence): the ledger processor gives every event it
 * decides for a `ledger.commands` partition the next link of that partition's chain, and any
 * reader recomputes it from the events alone. Changing an event changes its hash and every hash
 * after it; dropping or reordering one leaves a gap in the sequence; rewriting a whole suffix
 * consistently is caught against a head an earlier audit signed (auditor/README.md). One rule,
 * here, for the processor that writes links and the auditor that checks them.
 */

/** The hash before a chain's first link: 32 zero bytes, as hex. */
export const chainGenesisHash = '0'.repeat(64);

/**
 * Lower-case hex SHA-256 over the previous link's hash (its 32 bytes) followed by the UTF-8
 * canonical JSON (canonicalJson.ts) of the event without its `chain`: bytes a reader in any
 * language rebuilds from the decoded Avro record.
 */
export function chainHashOf(previousHash: string, event: LedgerEvent): string {
  // The processor hashes events before they have a link: no copy then.
  const content = event.chain === undefined ? event : withoutLink(event);
  return createHash('sha256')
    .update(Buffer.from(previousHash, 'hex'))
    .update(canonicalJson(content))
    .digest('hex');
}

function withoutLink(event: LedgerEvent): Omit<LedgerEvent, 'chain'> {
  const { chain: _link, ...content } = event;
  return content;
}

/** The link that follows `previous` (undefined: the chain's first) for `event`. */
export function nextChainLink(
  chain: number,
  previous: Pick<ChainLink, 'sequence' | 'hash'> | undefined,
  event: LedgerEvent,
): ChainLink {
  return {
    chain,
    sequence: (previous?.sequence ?? 0) + 1,
    hash: chainHashOf(previous?.hash ?? chainGenesisHash, event),
  };
}
