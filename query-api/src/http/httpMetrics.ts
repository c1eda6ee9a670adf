import type { Histogram } from 'prom-client';

/** Records one request's duration; `startedAtMs` comes from performance.now(). */
export type RecordRequest = (
  method: string,
  route: string,
  status: number,
  startedAtMs: number,
) => void;

/** Distinct (method, route, status) series held; routes are templates, so this stays small. */
export const httpSeriesMax = 256;

/**
 * Request durations by route template (never the raw path: ids would explode the label set).
 * Label children are looked up once per series and kept, so the hot path pays one Map lookup
 * instead of prom-client's label hashing on every request.
 */
export function createRequestRecorder(
  histogram: Histogram<'method' | 'route' | 'status'>,
): RecordRequest {
  const series = new Map<string, { observe(value: number): void }>();
  return (method, route, status, startedAtMs) => {
    const key = `${method} ${route} ${status}`;
    let child = series.get(key);
    if (child === undefined) {
      child = histogram.labels(method, route, String(status));
      if (series.size < httpSeriesMax) series.set(key, child);
    }
    child.observe((performance.now() - startedAtMs) / 1_000);
  };
}
