/** Small JSON requests for setup and probes (not load: load goes through loadRun.ts). */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

/** Setup and probe requests give up after this; a stuck stack fails the run, not hangs it. */
export const setupRequestTimeoutMs = 35_000;

export async function requestJson(
  method: 'GET' | 'POST',
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(setupRequestTimeoutMs),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function forEachConcurrently(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Setup requests retried on 429/503 (docs/contract.md: retriable, with Retry-After) and network errors. */
export const setupAttemptsMax = 8;
const retryAfterMsMax = 10_000;

export async function requestJsonRetrying(
  method: 'GET' | 'POST',
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  for (let attempt = 1; ; attempt += 1) {
    let response: JsonResponse | undefined;
    try {
      response = await requestJson(method, url, body, headers);
      if (response.status !== 429 && response.status !== 503) return response;
    } catch (error) {
      if (attempt >= setupAttemptsMax) throw error;
    }
    if (attempt >= setupAttemptsMax && response !== undefined) return response;
    const retryAfterSeconds = Number(response?.headers.get('retry-after') ?? '1');
    const waitMs = Math.min(
      retryAfterMsMax,
      (Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : 1) * 1_000 * attempt,
    );
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
