// `node scripts/run.mjs <file.ts> [args…]`: installs dependencies if needed, then runs a
// TypeScript entry point through tsx, forwarding signals so Ctrl-C reaches it.
import { spawn } from 'node:child_process';
import { ensureDependencies, repoRoot } from './ensureDeps.mjs';

ensureDependencies();
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs <file.ts> [args…]');
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
  cwd: repoRoot,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
