// @ledger/command-api: the app factory and its injected interfaces, for tests and tools (bench)
// that drive the service in-process; main.ts is the process entry point.
export { createApp } from './app.ts';
export type * from './appDeps.ts';
export { readCommandApiConfig, checkLimits, type CommandApiConfig } from './config.ts';
export { startCommandApi, type RunningCommandApi } from './wiring.ts';
