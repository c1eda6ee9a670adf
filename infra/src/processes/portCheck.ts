import { createConnection, createServer } from 'node:net';
import { failures } from '../failures.ts';
import { stackLimits } from '../stackLimits.ts';
import { findPortHolder } from './processInfo.ts';

/** A port a part will listen on, and the variable that moves it elsewhere. */
export interface PortClaim {
  readonly port: number;
  readonly envName: string;
}

/**
 * True when we can bind the port on the loopback address our parts listen on. Binding (rather
 * than connecting) also catches a process bound to 0.0.0.0 or one that accepts no connections.
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Throws the one-line "port in use by pid N cmd" failure for the first claimed port taken. */
export async function assertPortsFree(part: string, claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (await isPortFree(claim.port)) continue;
    throw failures.portInUse(part, claim.port, await findPortHolder(claim.port), claim.envName);
  }
}

/** One TCP connect attempt: true when something accepts on host:port within the probe timeout. */
export function canConnect(
  port: number,
  host = '127.0.0.1',
  timeoutMs: number = stackLimits.probeTimeoutMs,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
