// `npm start`: the whole stack in the foreground (see infra/src/cli/stackCli.ts).
import { runTypeScript } from './ensureDeps.mjs';

runTypeScript('infra/src/cli/stackCli.ts', ['up', ...process.argv.slice(2)]);
