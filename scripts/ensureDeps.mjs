// Installs workspace dependencies when they are missing or older than the lockfile, and runs a
// TypeScript entry point after that. Plain JavaScript with no imports beyond Node's own: it runs
// before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { constants } from 'node:os';
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

/**
 * Debian packages that tests and `npm run observe` call, by the command each provides: installed
 * with apt-get where the command is missing and we run as root (as Postgres is started where it
 * is down); otherwise the exact command to run is printed and we exit.
 */
const debianPackages = { promtool: 'prometheus', prometheus: 'prometheus' };

export function ensureDebianTools(commands) {
  const missing = commands.filter((command) => !onPath(command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((command) => debianPackages[command] ?? command))];
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...packages];
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    console.error(
      `[deps] ${missing.join(', ')} not found: install with \`sudo ${install.join(' ')}\``,
    );
    process.exit(1);
  }
  console.error(
    `[deps] installing ${packages.join(', ')} for ${missing.join(', ')} (${install.join(' ')})…`,
  );
  // Debian may start the package's own Prometheus on :9090; `npm run observe` uses a port of its own.
  const result = spawnSync(install[0], install.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    console.error(`[deps] ${install.join(' ')} failed: run apt-get update, then try again`);
    process.exit(result.status ?? 1);
  }
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `<entry> [args…]` through tsx from the repo root, forwarding SIGINT/SIGTERM so Ctrl-C
 * reaches it, and exits with its code (128 + the signal's number when a signal ended it).
 */
export function runTypeScript(entry, args) {
  ensureDependencies();
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) =>
    process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)),
  );
}
