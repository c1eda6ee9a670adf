import { createServer, type Server } from 'node:http';
import type { OpsRoutesDeps } from './opsRoutes.ts';
import { createOpsRoutes } from './opsRoutes.ts';

/** A node:http server with only the ops routes, for the services that serve no API. */
export function createOpsServer(deps: OpsRoutesDeps): Server {
  const handleOps = createOpsRoutes(deps);
  return createServer((request, response) => {
    if (handleOps(request, response)) return;
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"status":404}');
  });
}

export function listen(server: Server, port: number, host = '0.0.0.0'): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
