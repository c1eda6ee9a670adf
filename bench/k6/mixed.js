// A mixed workload at fixed arrival rates: balance reads, single transfers and batches at once.
//   k6 run -e ACCOUNTS=10000 -e READ_RATE=2000 -e TRANSFER_RATE=200 -e BATCH_RATE=2 bench/k6/mixed.js
import http from 'k6/http';
import { check } from 'k6';
import {
  accountId,
  batchBody,
  commandApi,
  duration,
  jsonHeaders,
  queryApi,
  randomIndex,
  transfer,
} from './lib.js';

const rate = (name, fallback) => Number(__ENV[name] || fallback);
const arrival = (exec, perSecond, vus) => ({
  executor: 'constant-arrival-rate',
  exec,
  rate: perSecond,
  timeUnit: '1s',
  duration,
  preAllocatedVUs: vus,
  maxVUs: vus * 4,
});

export const options = {
  scenarios: {
    reads: arrival('read', rate('READ_RATE', 2000), 100),
    transfers: arrival('single', rate('TRANSFER_RATE', 200), 50),
    batches: arrival('batch', rate('BATCH_RATE', 2), 4),
  },
  thresholds: { http_req_failed: ['rate==0'] },
};

export function read() {
  const response = http.get(`${queryApi}/v1/accounts/${accountId(randomIndex())}/balance`, {
    tags: { name: 'balance' },
  });
  check(response, { 'balance 200': (r) => r.status === 200 });
}

export function single() {
  const response = http.post(`${commandApi}/v1/transfers`, JSON.stringify(transfer()), {
    headers: jsonHeaders,
    tags: { name: 'transfer' },
  });
  check(response, { 'accepted 202': (r) => r.status === 202 });
}

export function batch() {
  const response = http.post(
    `${commandApi}/v1/transfers/batch`,
    batchBody(Number(__ENV.BATCH_ITEMS || 1000)),
    { headers: jsonHeaders, tags: { name: 'batch' } },
  );
  check(response, { 'batch 202': (r) => r.status === 202 });
}
