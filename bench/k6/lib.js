// Shared settings of the k6 scripts. Everything is overridable with -e NAME=value:
//   COMMAND_API_URL (default http://127.0.0.1:8080), QUERY_API_URL (http://127.0.0.1:8081),
//   ACCOUNTS (10000: the account set is bench-a<ACCOUNTS>-0 … -<ACCOUNTS-1>, funded by
//   bench-a<ACCOUNTS>-funding, exactly as `npm run bench` names them, so either can seed),
//   DISTRIBUTION (uniform | zipf), DURATION (30s), API_KEY (sent as Bearer when set).
export const commandApi = __ENV.COMMAND_API_URL || 'http://127.0.0.1:8080';
export const queryApi = __ENV.QUERY_API_URL || 'http://127.0.0.1:8081';
export const accounts = Number(__ENV.ACCOUNTS || 10000);
export const duration = __ENV.DURATION || '30s';
export const setName = `bench-a${accounts}`;
export const fundingId = `${setName}-funding`;
export const accountId = (index) => `${setName}-${index}`;
const distribution = __ENV.DISTRIBUTION || 'uniform';

export const jsonHeaders = Object.assign(
  { 'Content-Type': 'application/json' },
  __ENV.API_KEY ? { Authorization: `Bearer ${__ENV.API_KEY}` } : {},
);

// Zipf(1.1) by inverse CDF over a precomputed table (once per VU), like the driver's workload.
let cumulative;
function zipfIndex() {
  if (!cumulative) {
    cumulative = new Float64Array(accounts);
    let total = 0;
    for (let rank = 0; rank < accounts; rank++)
      cumulative[rank] = total += 1 / Math.pow(rank + 1, 1.1);
  }
  const draw = Math.random() * cumulative[accounts - 1];
  let low = 0;
  let high = accounts - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle] < draw) low = middle + 1;
    else high = middle;
  }
  return low;
}

export const randomIndex = () =>
  distribution === 'zipf' ? zipfIndex() : Math.floor(Math.random() * accounts);

// Unique per VU and iteration, so no transfer is an idempotent replay of another.
let sequence = 0;
export function transfer() {
  const from = randomIndex();
  let to = randomIndex();
  if (to === from) to = (from + 1) % accounts;
  sequence += 1;
  return {
    transferId: `k6-${__VU}-${Date.now().toString(36)}-${sequence}`,
    fromAccountId: accountId(from),
    toAccountId: accountId(to),
    amount: String(1 + Math.floor(Math.random() * 1000)),
    currency: 'USD',
  };
}

export const batchBody = (count) =>
  JSON.stringify({ transfers: Array.from({ length: count }, transfer) });
