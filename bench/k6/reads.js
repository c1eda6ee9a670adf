// Cached balance reads: 100 VUs (keep-alive connections) for DURATION, random accounts.
//   k6 run -e ACCOUNTS=10000 -e DURATION=30s bench/k6/reads.js
import http from 'k6/http';
import { check } from 'k6';
import { accountId, duration, queryApi, randomIndex } from './lib.js';

export const options = {
  vus: Number(__ENV.VUS || 100),
  duration,
  thresholds: { http_req_failed: ['rate==0'] },
};

export default function () {
  const response = http.get(`${queryApi}/v1/accounts/${accountId(randomIndex())}/balance`, {
    tags: { name: 'balance' },
  });
  check(response, {
    'balance 200': (r) => r.status === 200,
    'served from cache': (r) => r.headers['X-Cache'] === 'hit',
  });
}
