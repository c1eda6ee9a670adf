import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { oneLine } from '../failures.ts';
import { stackLimits } from '../stackLimits.ts';

/**
 * Each part writes stdout and stderr straight into `.stack/logs/<part>.log` (a file descriptor,
 * not a pipe through us), so a part keeps logging even if the supervisor dies.
 */
export async function openPartLog(path: string, header: string): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  try {
    if ((await stat(path)).size > stackLimits.logFileBytesMax) await truncate(path, 0);
  } catch {
    // does not exist yet
  }
  const fd = openSync(path, 'a');
  writeSync(fd, `\n=== ${new Date().toISOString()} ${header} ===\n`);
  return fd;
}

export function closeLog(fd: number): void {
  closeSync(fd);
}

/** Bytes read from the end of a log when looking for the line that explains a failure. */
const tailBytes = 16 * 1024;

/** The last line that looks like an error, else the last line: quoted in failure lines. */
export async function lastMeaningfulLine(path: string): Promise<string> {
  let text = '';
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, tailBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('==='));
  const errorLine = [...lines].reverse().find((line) => /ERROR|FATAL|Exception|Error:/.test(line));
  return oneLine(errorLine ?? lines.at(-1) ?? '', 240);
}

/** Hands every new complete line appended to a file to `onLine`, polling (works on any fs). */
export function followLog(path: string, fromOffset: number, onLine: (line: string) => void) {
  const followIntervalMs = 500;
  let offset = fromOffset;
  let partial = '';
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    void (async () => {
      try {
        const handle = await open(path, 'r');
        try {
          const { size } = await handle.stat();
          if (size < offset) offset = 0; // truncated
          const length = Math.min(size - offset, 1024 * 1024);
          if (length <= 0) return;
          const buffer = Buffer.alloc(length);
          await handle.read(buffer, 0, length, offset);
          offset += length;
          const lines = (partial + buffer.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) if (line.trim() !== '') onLine(line);
        } finally {
          await handle.close();
        }
      } catch {
        // not there yet
      } finally {
        reading = false;
      }
    })();
  }, followIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
