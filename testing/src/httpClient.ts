/** A tiny fetch wrapper for driving the app over real HTTP in tests. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const hasJson = options.body !== undefined;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(hasJson ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : hasJson
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Non-JSON answers (metrics) keep an empty body; the test reads `text`.
  }
  return { status: response.status, headers: response.headers, body, text };
}
