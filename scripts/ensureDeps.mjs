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
  console.error('[deps] installing dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(
      '[deps] npm ci failed: check the npm registry is reachable (npm ping), then run npm ci by hand',
    );
    process.exit(result.status ?? 1);
  }
}
