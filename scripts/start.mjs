// `npm start`: the whole stack in the foreground (see infra/src/cli/stackCli.ts).
import { spawn } from 'node:child_process';
import { ensureDependencies, repoRoot } from './ensureDeps.mjs';

ensureDependencies();
const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'infra/src/cli/stackCli.ts', 'up', ...process.argv.slice(2)],
  { cwd: repoRoot, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 1));
