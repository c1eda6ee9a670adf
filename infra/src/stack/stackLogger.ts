import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, parseLogLevel, type Logger } from '@ledger/runtime';

/**
 * The stack's own JSON log (kafkajs admin chatter, schema registration) goes to
 * `.stack/logs/stack.log`: the console is for the human progress lines.
 */
export function createStackLogger(logsDir: string): { logger: Logger; close: () => Promise<void> } {
  mkdirSync(logsDir, { recursive: true });
  const stream = createWriteStream(join(logsDir, 'stack.log'), { flags: 'a' });
  const logger = createLogger({
    level: parseLogLevel(process.env.LEDGER_LOG_LEVEL),
    bindings: { service: 'stack', pid: process.pid },
    write: (line) => stream.write(line + '\n'),
  });
  return { logger, close: () => new Promise((resolve) => stream.end(resolve)) };
}
