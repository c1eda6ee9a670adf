import { readFile, readdir, readlink } from 'node:fs/promises';
import type { PortHolder } from '../failures.ts';

/**
 * What the stack needs to know about other processes, read from /proc (Linux): whether a pid is
 * alive, its command line (to prove a pid from the state file is still ours and not a recycled
 * number), and which process listens on a TCP port (to name it in a "port in use" line).
 */
export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The argv of a process joined by spaces, or undefined when it is gone. */
export async function readCommandLine(pid: number): Promise<string | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/** A pid is ours when it is alive and its command line still carries our marker. */
export async function isOurProcess(pid: number, marker: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const commandLine = await readCommandLine(pid);
  return commandLine !== undefined && commandLine.includes(marker);
}

async function shortCommand(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
  } catch {
    return 'unknown';
  }
}

/** Socket inodes of TCP sockets in LISTEN state on `port` (IPv4 and IPv6). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      const state = columns[3];
      const inode = columns[9];
      const LISTEN = '0A';
      if (local?.endsWith(`:${portHex}`) && state === LISTEN && inode !== undefined) {
        inodes.add(inode);
      }
    }
  }
  return inodes;
}

/** Which process listens on `port`; undefined when nobody does or /proc does not tell us. */
export async function findPortHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const targets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pidText of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pidText}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (targets.has(await readlink(`/proc/${pidText}/fd/${fd}`))) {
          const pid = Number(pidText);
          return { pid, command: await shortCommand(pid) };
        }
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}
