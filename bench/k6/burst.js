// The burst target (docs/architecture.md): 1000 concurrent keep-alive clients on the command API, then on the
// query API. The figure asks for 0 errors and 0 timeouts: the thresholds say so (k6 counts a
// request over TIMEOUT as failed).
//   k6 run -e ACCOUNTS=10000 -e DURATION=30s bench/k6/burst.js
import http from 'k6/http';
import { check } from 'k6';
import {
  accountId,
  commandApi,
  duration,
  jsonHeaders,
  queryApi,
  randomIndex,
  transfer,
} from './lib.js';

const clients = Number(__ENV.CLIENTS || 1000);
const timeout = __ENV.TIMEOUT || '10s';
export const options = {
  scenarios: {
    commandApi: { executor: 'constant-vus', exec: 'write', vus: clients, duration },
    queryApi: {
      executor: 'constant-vus',
      exec: 'read',
      vus: clients,
      duration,
      startTime: duration,
    },
  },
  thresholds: {
    'http_req_failed{scenario:commandApi}': ['rate==0'],
    'http_req_failed{scenario:queryApi}': ['rate==0'],
  },
};

export function write() {
  const response = http.post(`${commandApi}/v1/transfers`, JSON.stringify(transfer()), {
    headers: jsonHeaders,
    timeout,
  });
  check(response, { 'accepted 202': (r) => r.status === 202 });
}

export function read() {
  const response = http.get(`${queryApi}/v1/accounts/${accountId(randomIndex())}/balance`, {
    timeout,
  });
  check(response, { 'balance 200': (r) => r.status === 200 });
}
