// `node scripts/run.mjs <file.ts> [args…]`: installs dependencies if needed, then runs a
// TypeScript entry point through tsx, forwarding signals so Ctrl-C reaches it.
import { runTypeScript } from './ensureDeps.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs <file.ts> [args…]');
  process.exit(2);
}
runTypeScript(entry, args);
