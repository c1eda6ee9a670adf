import { failures } from '../failures.ts';
import { CommandNotFound, runCommand } from '../processes/runCommand.ts';

export const javaMajorMin = 17;

/** Fails with the one-line "install a JDK 17" when java is missing or older than 17. */
export async function assertJavaAvailable(): Promise<string> {
  let output: string;
  try {
    output = (await runCommand('java', ['-version'])).output;
  } catch (error) {
    if (error instanceof CommandNotFound) throw failures.javaMissing();
    throw error;
  }
  const version = parseJavaVersion(output);
  if (version === undefined) return 'unknown';
  if (javaMajor(version) < javaMajorMin) throw failures.javaTooOld(version);
  return version;
}

/** `openjdk version "17.0.15" 2025-04-15` → `17.0.15`; `"1.8.0_392"` → `1.8.0_392`. */
export function parseJavaVersion(output: string): string | undefined {
  return /version "([^"]+)"/.exec(output)?.[1];
}

export function javaMajor(version: string): number {
  const [first, second] = version.split(/[._-]/).map(Number);
  return first === 1 ? (second ?? 0) : (first ?? 0);
}
