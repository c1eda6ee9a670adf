// Single transfers, one per request (202 accepted; the processor applies them from Kafka).
//   k6 run -e ACCOUNTS=10000 bench/k6/transfers.js
import http from 'k6/http';
import { check } from 'k6';
import { commandApi, duration, jsonHeaders, transfer } from './lib.js';

export const options = {
  vus: Number(__ENV.VUS || 100),
  duration,
  thresholds: { http_req_failed: ['rate==0'] },
};

export default function () {
  const response = http.post(`${commandApi}/v1/transfers`, JSON.stringify(transfer()), {
    headers: jsonHeaders,
    tags: { name: 'transfer' },
  });
  check(response, { 'accepted 202': (r) => r.status === 202 });
}
