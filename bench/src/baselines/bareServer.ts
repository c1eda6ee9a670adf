import { createServer, type Server } from 'node:http';

/**
 * Baseline (a): the ceiling for any Node HTTP route on this machine: node:http answering every
 * request with one constant JSON body, shaped like a balance so bytes on the wire match the
 * cached route. Nothing is parsed or looked up; keep-alive is node's default.
 */
export const bareBody = Buffer.from(
  JSON.stringify({ accountId: 'bench-constant', currency: 'USD', balance: '0', version: 1 }),
);

export function createBareServer(): Server {
  const headers = {
    'content-type': 'application/json',
    'content-length': String(bareBody.length),
  };
  return createServer((_request, response) => {
    response.writeHead(200, headers);
    response.end(bareBody);
  });
}
