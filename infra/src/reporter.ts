/**
 * Human progress lines of the stack (`[  4.2 s] kafka: healthy`), separate from the JSON logs:
 * a person watches `npm start`, a log shipper reads `.stack/logs/`. Parts report through this
 * interface so tests can collect the lines instead of printing them.
 */
export interface Reporter {
  line(part: string, text: string): void;
}

export function createConsoleReporter(
  write: (text: string) => void = (text) => process.stdout.write(text + '\n'),
  startedAtMs: number = Date.now(),
): Reporter {
  return {
    line(part, text) {
      write(`[${formatElapsed(Date.now() - startedAtMs).padStart(7)}] ${part}: ${text}`);
    },
  };
}

/** A reporter that keeps the lines, for tests. */
export function createCollectingReporter(): Reporter & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, line: (part, text) => lines.push(`${part}: ${text}`) };
}

export function formatElapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
