// `npm run keys -- create|list|revoke [--file path]`: API keys in LEDGER_API_KEYS_FILE
// (infra/src/apiKeys/keysCommand.ts). The new key goes to stdout alone, everything else to stderr.
import { runKeysCommand } from '../apiKeys/keysCommand.ts';

process.exitCode = runKeysCommand(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  now: () => new Date(),
});
