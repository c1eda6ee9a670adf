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
      return JSON.stringify(value.toString());
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not finite`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
    }
    case 'undefined':
    case 'function':
    case 'symbol':
      break;
  }
  throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
}
