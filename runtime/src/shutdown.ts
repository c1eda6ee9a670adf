import type { Logger } from './logger.ts';

export const shutdownTimeoutMs = 15_000;

/**
 * Runs `stop` once on SIGTERM/SIGINT, then exits. A second signal or a stop that hangs past the
 * budget exits at once: the stored offsets make a hard stop safe, only slower to resume.
 */
export function onTerminate(
  logger: Logger,
  stop: () => Promise<void>,
  timeoutMs = shutdownTimeoutMs,
): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', { signal });
    const timer = setTimeout(() => {
      logger.error('graceful stop timed out', { timeoutMs });
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

/** Crash loudly on what should never happen; the supervisor restarts us from stored offsets. */
export function crashOnUnhandled(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection: crashing', { error: reason });
    process.exit(70);
  });
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception: crashing', { error });
    process.exit(70);
  });
}
