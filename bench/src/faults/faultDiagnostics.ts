import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { stackPaths } from '@ledger/infra/paths';
import type { StackSession } from '../stack/stackSession.ts';
import { servicesOfStack } from './faultGroups.ts';

/**
 * What a failed group leaves behind for whoever reads the run, CI's log included (where the
 * stack's own logs are gone afterwards): each service's /readyz answer now, and the last distinct
 * warnings and errors its log wrote since the group began, plus Kafka's.
 */

/** Of each log, only its tail is read: a long run's logs are hundreds of megabytes. */
const logTailBytes = 512 * 1024;
const linesPerPart = 8;
const lineChars = 300;

export async function diagnoseFailure(stack: StackSession, sinceMs: number): Promise<string> {
  const logsDir = stackPaths().logsDir;
  const sections = await Promise.all(
    servicesOfStack.map(async (service) => {
      const readiness = await readinessOf(stack.urls[service]);
      const lines = serviceProblems(await tail(join(logsDir, `${service}.log`)), sinceMs);
      return [`${service}: /readyz ${readiness}`, ...lines.map((line) => `  ${line}`)].join('\n');
    }),
  );
  const kafka = kafkaProblems(await tail(join(logsDir, 'kafka.log')));
  return [...sections, 'kafka:', ...kafka.map((line) => `  ${line}`)].join('\n');
}

async function readinessOf(baseUrl: string): Promise<string> {
  try {
    const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return `${response.status} ${(await response.text()).slice(0, lineChars)}`;
  } catch (error) {
    return `no answer (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function tail(path: string): Promise<string[]> {
  const file = await open(path, 'r').catch(() => undefined);
  if (file === undefined) return [];
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - logTailBytes);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    return start > 0 ? lines.slice(1) : lines; // the first may be cut
  } finally {
    await file.close();
  }
}

/** The services log JSON: warn and error lines since `sinceMs`, one per distinct message. */
export function serviceProblems(lines: readonly string[], sinceMs: number): string[] {
  const newest = new Map<string, string>();
  for (const line of lines) {
    let entry: { time?: unknown; level?: unknown; msg?: unknown; error?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.level !== 'warn' && entry.level !== 'error') continue;
    if (typeof entry.time !== 'string' || Date.parse(entry.time) < sinceMs) continue;
    const message = String(entry.msg);
    const error = errorMessage(entry.error);
    newest.delete(message); // re-inserted: the map's order is the order of last occurrence
    newest.set(
      message,
      `${entry.time} ${entry.level} ${message}${error ? `: ${error}` : ''}`.slice(0, lineChars),
    );
  }
  return [...newest.values()].slice(-linesPerPart);
}

function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String(error.message);
  }
  return '';
}

/** Kafka's own WARN and ERROR lines, newest last. */
function kafkaProblems(lines: readonly string[]): string[] {
  return lines
    .filter((line) => / (WARN|ERROR) /.test(line))
    .slice(-linesPerPart)
    .map((line) => line.slice(0, lineChars));
}
