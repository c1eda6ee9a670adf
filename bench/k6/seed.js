// Seeds ACCOUNTS funded accounts through the command API: a funding account with a large
// overdraft, ACCOUNTS customer accounts, then one funding transfer each via the batch endpoint.
// Idempotent (fixed ids): a second run only replays. Run once before the other scripts:
//   k6 run -e ACCOUNTS=10000 bench/k6/seed.js
import http from 'k6/http';
import { check, fail } from 'k6';
import { accountId, accounts, commandApi, fundingId, jsonHeaders } from './lib.js';

export const options = { vus: 1, iterations: 1, setupTimeout: '30m', teardownTimeout: '1m' };
const parallel = 50;
const fundingAmount = '1000000000';

export default function () {
  const funding = http.post(
    `${commandApi}/v1/accounts`,
    JSON.stringify({ accountId: fundingId, currency: 'USD', overdraftLimit: '100000000000000000' }),
    { headers: Object.assign({ Prefer: 'wait=30' }, jsonHeaders) },
  );
  if (![200, 201, 202].includes(funding.status)) fail(`funding account: HTTP ${funding.status}`);

  for (let start = 0; start < accounts; start += parallel) {
    const requests = [];
    for (let index = start; index < Math.min(accounts, start + parallel); index++) {
      requests.push([
        'POST',
        `${commandApi}/v1/accounts`,
        JSON.stringify({ accountId: accountId(index), currency: 'USD' }),
        { headers: jsonHeaders },
      ]);
    }
    for (const response of http.batch(requests))
      check(response, { 'account accepted': (r) => r.status < 300 });
  }

  for (let start = 0; start < accounts; start += 1000) {
    const transfers = [];
    for (let index = start; index < Math.min(accounts, start + 1000); index++) {
      transfers.push({
        transferId: `fund-${accountId(index)}`,
        fromAccountId: fundingId,
        toAccountId: accountId(index),
        amount: fundingAmount,
        currency: 'USD',
      });
    }
    const response = http.post(`${commandApi}/v1/transfers/batch`, JSON.stringify({ transfers }), {
      headers: jsonHeaders,
    });
    check(response, { 'funding batch accepted': (r) => r.status === 202 });
  }
}
