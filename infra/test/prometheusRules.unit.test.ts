import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { prometheusRulesFile, prometheusRuleTestsFile } from '../src/observe/prometheusFiles.ts';

const run = promisify(execFile);

// promtool comes from Debian's prometheus package; `npm test` installs it where it is missing.
describe('Prometheus rules (infra/prometheus)', () => {
  it('given the rule file, when promtool checks it, then every recording rule and alert is valid', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', prometheusRulesFile]);

    assert.match(stdout, /SUCCESS: \d+ rules found/);
  });

  it('given the rule unit tests, when promtool runs them, then each alert fires when it should and a healthy or idle stack fires none', async () => {
    const result = await run('promtool', ['test', 'rules', prometheusRuleTestsFile]).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );

    assert.match(
      `${result.stdout ?? ''}`,
      /SUCCESS/,
      `${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  });
});
