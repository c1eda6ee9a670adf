// Installs workspace dependencies when they are missing or older than the lockfile. Plain
// JavaScript with no imports beyond Node's own: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

export function ensureDependencies() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) {
    console.error(
      `node ${process.versions.node} is too old: this project needs Node >= 20 (install Node 20 or 24 LTS)`,
    );
    process.exit(1);
  }
  const lock = join(repoRoot, 'package-lock.json');
  const marker = join(repoRoot, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  // `npm install` with the committed lockfile rather than `npm ci`: ci refuses a lockfile that
  // lacks other platforms' optional binaries (turbo's darwin/windows builds), which a registry
  // mirror without them cannot record. install still takes every version from the lockfile.
  console.error('[deps] installing dependencies (npm install from package-lock.json)…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(
      '[deps] npm install failed: check the npm registry is reachable (npm ping), then run npm install by hand',
    );
    process.exit(result.status ?? 1);
  }
}
