// `npm test`: installs what is missing, checks types and lint, runs the unit tests, brings the
// real stack up (or reuses a running one), runs the integration tests against it, stops only
// what it started, then runs the fault groups against a supervised stack of their own.
// `npm test -- --unit` runs the unit tests alone.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianTools, ensureDependencies, repoRoot } from './ensureDeps.mjs';
import { repoTestFiles, testKinds } from './testFiles.mjs';

const unitOnly = process.argv.includes('--unit');
const skipChecks = process.argv.includes('--no-checks');
const stateDir = join(repoRoot, '.stack');
mkdirSync(stateDir, { recursive: true });

ensureDependencies();
// promtool checks the metrics, rules and dashboards; docker-compose (v1) validates
// docker-compose.yml (infra/test/*.test.ts).
ensureDebianTools(['promtool', 'docker-compose']);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

if (!skipChecks) {
  step('typecheck and lint');
  run('npx', ['turbo', 'run', 'typecheck', 'lint', '--output-logs=errors-only']);
}

const totals = { pass: 0, fail: 0, skipped: 0 };
step('unit tests');
await nodeTest('unit', findTests('.unit.test.ts'), 2);

if (!unitOnly) {
  step('stack (dependencies) for integration tests');
  const stack = await bringStackUp();
  let exitCode = 0;
  try {
    step('integration tests');
    await nodeTest('int', findTests('.int.test.ts'), 2);
  } catch (error) {
    exitCode = 1;
    console.error(error);
  } finally {
    await stack.stop();
  }
  // The fault groups restart Postgres and Redis and kill the broker, so they run alone, after the
  // integration tests, against a whole supervised stack the suite starts itself
  // (bench/src/faults/). A stack someone else runs is left alone: the groups are skipped.
  if (!stack.reused) {
    step('fault tests (Postgres restart, broker kill, Redis restart)');
    await nodeTest('fault', findTests('.fault.test.ts'), 1);
  } else {
    console.log('\na stack was already running: fault tests skipped (npm run faults -- --short)');
    totals.skipped += findTests('.fault.test.ts').length;
  }
  if (exitCode) process.exitCode = exitCode;
}

console.log(`\ntotal after ${elapsed()}:`);
console.log(`tests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
if (totals.fail > 0) process.exitCode = 1;

function step(name) {
  console.log(`\n=== ${name} (${elapsed()}) ===`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed with ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

// Every workspace's test files of a kind (scripts/testFiles.mjs: the same finder the packages' scripts use).
function findTests(suffix) {
  const kind = Object.keys(testKinds).find((name) => testKinds[name] === suffix);
  return repoTestFiles(kind);
}

async function nodeTest(kind, files, concurrency) {
  if (files.length === 0) {
    console.log(`no ${kind} test files`);
    return;
  }
  const tap = join(stateDir, `test-${kind}.tap`);
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, LEDGER_LOG_LEVEL: process.env.LEDGER_LOG_LEVEL ?? 'warn' },
    });
    child.on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (name) => Number((text.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  totals.pass += count('pass');
  totals.fail += count('fail') + count('cancelled');
  totals.skipped += count('skipped') + count('todo');
  if (code !== 0 && count('fail') + count('cancelled') === 0) totals.fail += 1; // runner itself failed
}

// Starts `stackCli up --deps-only` in the background and waits for its "stack ready" line; a
// stack that already runs is reused and left running.
async function bringStackUp() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/src/cli/stackCli.ts', 'up', '--deps-only'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = await new Promise((resolve) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffer += chunk.toString();
      if (buffer.includes('stack ready')) resolve('started');
    });
    child.on('exit', (code) => resolve(code === 0 ? 'reused' : `exited with ${code}`));
  });
  if (ready !== 'started' && ready !== 'reused') {
    console.error(`the stack did not come up (${ready}); see the line above for the cause and fix`);
    process.exit(1);
  }
  return {
    reused: ready === 'reused',
    stop: () =>
      ready === 'reused'
        ? Promise.resolve()
        : new Promise((resolve) => {
            child.on('exit', resolve);
            child.kill('SIGTERM');
          }),
  };
}
