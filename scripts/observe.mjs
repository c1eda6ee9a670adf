// `npm run observe`: installs Debian's prometheus package where it is missing, then runs
// infra/src/cli/observeCli.ts (Prometheus against the running stack, in the foreground).
import { ensureDebianTools, runTypeScript } from './ensureDeps.mjs';

ensureDebianTools(['prometheus']);
runTypeScript('infra/src/cli/observeCli.ts', process.argv.slice(2));
