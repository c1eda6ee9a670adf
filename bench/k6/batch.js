// Batch transfers: POST /v1/transfers/batch with BATCH_ITEMS (1000, the contract's maximum) per request.
// Transfers/s = iterations/s × BATCH_ITEMS; applied/s is what the processor then decides
// (watch ledger_processor_commands_decided_total on :8082/metrics).
//   k6 run -e ACCOUNTS=10000 -e DURATION=60s bench/k6/batch.js
import http from 'k6/http';
import { check } from 'k6';
import { batchBody, commandApi, duration, jsonHeaders } from './lib.js';

const items = Number(__ENV.BATCH_ITEMS || 1000);
export const options = {
  vus: Number(__ENV.VUS || 8),
  duration,
  thresholds: { http_req_failed: ['rate==0'] },
};

export default function () {
  const response = http.post(`${commandApi}/v1/transfers/batch`, batchBody(items), {
    headers: jsonHeaders,
    tags: { name: 'batch' },
  });
  check(response, {
    'batch 202': (r) => r.status === 202,
    'every item accepted': (r) =>
      r.status === 202 && r.json('items').every((item) => item.status === 'accepted'),
  });
}
