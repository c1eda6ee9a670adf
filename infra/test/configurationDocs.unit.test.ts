import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { filesUnder, readText, repoRoot } from './repoFiles.ts';

/**
 * docs/configuration.md against the code: every environment variable of the project's own
 * (`LEDGER_*`) or of the tracing set-up (`OTEL_*`) named in any workspace's code has a row there,
 * and every row names a variable some code reads. The names come from the source itself, so a
 * new variable cannot be added without its documentation. Families written with a wildcard
 * (`OTEL_BSP_*`) are prose, not rows, and are not matched.
 */
const variablePattern = /\b(?:LEDGER|OTEL)_[A-Z0-9_]*[A-Z0-9]\b/g;
const documentedRowPattern = /^\|\s*`((?:LEDGER|OTEL)_[A-Z0-9_]*[A-Z0-9])`\s*\|/gm;
const codeFolders = ['src', 'scripts', 'test', 'tools'];
const codeFilePattern = /\.(?:ts|mts|cts|js|mjs|cjs|sh)$/;
const configurationDoc = 'docs/configuration.md';

function workspaces(): string[] {
  const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return rootPackage.workspaces;
}

/** Each variable named in code, with the first few files naming it (for the failure message). */
function variablesInCode(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const folders = [
    'scripts',
    ...workspaces().flatMap((ws) => codeFolders.map((f) => `${ws}/${f}`)),
  ];
  for (const file of folders.flatMap(filesUnder)) {
    if (!codeFilePattern.test(file)) continue;
    for (const name of readText(file)?.match(variablePattern) ?? []) {
      const files = found.get(name) ?? [];
      if (!files.includes(file)) files.push(file);
      found.set(name, files);
    }
  }
  return found;
}

function variablesDocumented(): Set<string> {
  const text = readFileSync(join(repoRoot, configurationDoc), 'utf8');
  return new Set(Array.from(text.matchAll(documentedRowPattern), (match) => match[1] ?? ''));
}

void describe(configurationDoc, () => {
  const inCode = variablesInCode();
  const documented = variablesDocumented();

  void it('given the variables the code names, then each has a row in the configuration doc', () => {
    const missing = [...inCode]
      .filter(([name]) => !documented.has(name))
      .map(([name, files]) => `${name} (${files.slice(0, 3).join(', ')})`);
    assert.deepEqual(missing, [], `add a row to ${configurationDoc} for each of these`);
  });

  void it('given the rows of the configuration doc, then code names each variable', () => {
    const unread = [...documented].filter((name) => !inCode.has(name)).sort();
    assert.deepEqual(unread, [], `nothing reads these: drop their rows from ${configurationDoc}`);
  });

  void it('given the scan, then it found the stack and tracing variables (the scan works)', () => {
    assert.ok(inCode.size > 50, `only ${inCode.size} variables found: is the scan broken?`);
    assert.ok([...inCode.keys()].some((name) => name.startsWith('OTEL_')));
  });
});
