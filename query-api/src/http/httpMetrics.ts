import { performance } from 'node:perf_hooks';
import type { RequestDurations } from './requestDurations.ts';

/** Records one request's duration; `startedAtMs` comes from performance.now(). */
export type RecordRequest = (
  method: string,
  route: string,
  status: number,
  startedAtMs: number,
) => void;

export function createRequestRecorder(durations: RequestDurations): RecordRequest {
  return (method, route, status, startedAtMs) =>
    durations.record(method, route, status, (performance.now() - startedAtMs) / 1_000);
}
