#!/usr/bin/env node
// Writes vegeta JSON targets (one per line) to stdout, so every request carries a fresh transfer
// or a random account. Plain Node, no dependencies:
//   node bench/vegeta/targets.mjs <kind> <count>
// kinds: open (customer accounts 0..ACCOUNTS-1), fund (1000-item funding batches), reads,
//        transfers, batch, mixed (80% reads, 18% transfers, 2% batches).
// Environment: COMMAND_API_URL, QUERY_API_URL, ACCOUNTS, DISTRIBUTION (uniform|zipf),
// BATCH_ITEMS (1000), API_KEY — the same names and account ids as bench/k6 and `npm run bench`.
const [kind = 'reads', countText = '100000'] = process.argv.slice(2);
const count = Number(countText);
const env = process.env;
const commandApi = env.COMMAND_API_URL || 'http://127.0.0.1:8080';
const queryApi = env.QUERY_API_URL || 'http://127.0.0.1:8081';
const accounts = Number(env.ACCOUNTS || 10000);
const batchItems = Number(env.BATCH_ITEMS || 1000);
const set = `bench-a${accounts}`;
const accountId = (index) => `${set}-${index}`;
const header = {
  'Content-Type': ['application/json'],
  ...(env.API_KEY ? { Authorization: [`Bearer ${env.API_KEY}`] } : {}),
};

let cumulative;
function randomIndex() {
  if (env.DISTRIBUTION !== 'zipf') return Math.floor(Math.random() * accounts);
  if (!cumulative) {
    cumulative = new Float64Array(accounts);
    let total = 0;
    for (let rank = 0; rank < accounts; rank++) cumulative[rank] = total += 1 / (rank + 1) ** 1.1;
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

const runId = Date.now().toString(36);
let sequence = 0;
function transfer() {
  const from = randomIndex();
  let to = randomIndex();
  if (to === from) to = (from + 1) % accounts;
  sequence += 1;
  return {
    transferId: `vg-${runId}-${sequence}`,
    fromAccountId: accountId(from),
    toAccountId: accountId(to),
    amount: String(1 + Math.floor(Math.random() * 1000)),
    currency: 'USD',
  };
}

const post = (url, body) => ({
  method: 'POST',
  url,
  header,
  body: Buffer.from(JSON.stringify(body)).toString('base64'),
});
const get = (url) => ({ method: 'GET', url, header });
const read = () => get(`${queryApi}/v1/accounts/${accountId(randomIndex())}/balance`);
const single = () => post(`${commandApi}/v1/transfers`, transfer());
const batch = () =>
  post(`${commandApi}/v1/transfers/batch`, {
    transfers: Array.from({ length: batchItems }, transfer),
  });

const makers = {
  open: (index) =>
    post(`${commandApi}/v1/accounts`, { accountId: accountId(index), currency: 'USD' }),
  fund: (index) => {
    const transfers = [];
    for (let i = index * 1000; i < Math.min(accounts, (index + 1) * 1000); i++) {
      transfers.push({
        transferId: `fund-${accountId(i)}`,
        fromAccountId: `${set}-funding`,
        toAccountId: accountId(i),
        amount: '1000000000',
        currency: 'USD',
      });
    }
    return post(`${commandApi}/v1/transfers/batch`, { transfers });
  },
  reads: read,
  transfers: single,
  batch,
  mixed: () => {
    const roll = Math.random();
    return roll < 0.8 ? read() : roll < 0.98 ? single() : batch();
  },
};
const make = makers[kind];
if (!make || !Number.isSafeInteger(count) || count < 1) {
  console.error(`usage: targets.mjs <${Object.keys(makers).join('|')}> <count>`);
  process.exit(2);
}
const total = kind === 'open' ? accounts : kind === 'fund' ? Math.ceil(accounts / 1000) : count;
for (let index = 0; index < total; index++) {
  if (!process.stdout.write(JSON.stringify(make(index)) + '\n'))
    await new Promise((resolve) => process.stdout.once('drain', resolve));
}
