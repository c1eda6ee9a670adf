import type { Logger } from './logger.ts';

export const shutdownTimeoutMs = 15_000;
/** Exit status of a deliberate crash (EX_SOFTWARE): the supervisor restarts the process. */
export const crashExitCode = 70;

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
    process.exit(crashExitCode);
  });
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception: crashing', { error });
    process.exit(crashExitCode);
  });
}

/**
 * The production `onFatal` of a service's consumer: log, then exit for the supervisor to restart
 * the process (the processor and projector resume from their stored offsets, a query API
 * instance rebuilds its cache). Tests pass their own instead.
 */
export function exitForRestart(logger: Logger): (error: unknown) => void {
  return (error) => {
    logger.error('fatal: stopping so the supervisor restarts this instance', { error });
    process.exit(crashExitCode);
  };
}
