/**
 * One text per value: object keys sorted by code unit, no spaces, bigints as decimal strings
 * (`{ "$bigint": "-5" }` would be safer in general; the ledger's fields each have one type, so
 * an amount cannot be confused with a string field). The bytes each event's hash chain link covers
 * (eventChain.ts), and the auditor's: an event's content (to tell an identical republished
 * duplicate from another event under the same id) and the bytes of a summary that are signed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return `"${value.toString()}"`;
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not finite`);
      return JSON.stringify(value);
    case 'object': {
      // Plain loops and one string: every event the processor links passes through here.
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i += 1) {
          out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      // Default sort order is by UTF-16 code unit, as the contract's canonical form wants.
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
        first = false;
      }
      return `${out}}`;
    }
    case 'undefined':
    case 'function':
    case 'symbol':
      break;
  }
  throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
}
