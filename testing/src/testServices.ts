import assert from 'node:assert/strict';
import { createLogger, type Logger } from '@ledger/runtime';

/** Warnings and errors only, on stderr, so the test report stays readable. */
export const testLogger: Logger = createLogger({
  level: 'warn',
  write: (line) => process.stderr.write(line + '\n'),
});

/** How a test starts a service's wiring: on a free port, and a fatal error fails the test. */
export function testServiceOptions(name: string): {
  readonly port: number;
  readonly onFatal: (error: unknown) => void;
} {
  return { port: 0, onFatal: (error) => assert.fail(`${name} fatal: ${String(error)}`) };
}
