// `node ../scripts/packageTests.mjs <unit|int|fault>`, run by every package's `test:unit`,
// `test:int` and `test:fault` scripts (so `turbo run test:unit` etc. reach every test file):
// runs this package's test files of that kind with Node's test runner. Integration tests need
// the dependencies up (`npm run stack -- up --deps-only`); fault tests need no stack running
// (they start their own). `npm test` runs all three kinds in order with the stack handled.
import { spawn } from 'node:child_process';
import { testFilesIn, testKinds } from './testFiles.mjs';

const kind = process.argv[2];
if (!(kind in testKinds)) {
  console.error(`usage: node ../scripts/packageTests.mjs <${Object.keys(testKinds).join('|')}>`);
  process.exit(2);
}
const files = testFilesIn(process.cwd(), kind, process.cwd());
if (files.length === 0) {
  console.log(`no ${kind} tests in this package`);
  process.exit(0);
}
// Unit tests run two files at a time; the others share one stack (and restart it), so one.
const concurrency = kind === 'unit' ? 2 : 1;
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, LEDGER_LOG_LEVEL: process.env.LEDGER_LOG_LEVEL ?? 'warn' },
  },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
