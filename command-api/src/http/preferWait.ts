/** docs/contract.md: `Prefer: wait=N`, N ≤ 30 seconds. */
export const waitSecondsMax = 30;

/**
 * The `wait` preference of RFC 7240, in seconds, or undefined when absent or unusable. A larger
 * N is capped (a preference is a hint, RFC 7240 §2); an unparsable one is ignored, like any
 * preference the server does not understand.
 */
export function parsePreferWait(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  for (const preference of header.split(',')) {
    const [token, ...rest] = preference.split(';', 1)[0]?.split('=') ?? [];
    if (token?.trim().toLowerCase() !== 'wait' || rest.length !== 1) continue;
    const value = rest[0]?.trim().replace(/^"(.*)"$/, '$1') ?? '';
    if (!/^[0-9]{1,6}$/.test(value)) return undefined;
    const seconds = Math.min(Number(value), waitSecondsMax);
    return seconds === 0 ? undefined : seconds;
  }
  return undefined;
}
