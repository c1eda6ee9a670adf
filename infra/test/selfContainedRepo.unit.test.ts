import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { filesUnder, readText, repoRoot } from './repoFiles.ts';

/**
 * Nothing in the repository sends its reader to a file outside it: a clone must stand on its
 * own. The design notes, style guide and contract that once lived beside the workspace are in
 * docs/ now, so a comment or document naming them (bare, or through the workspace's shared
 * folder) points nowhere for anyone else. A name with a path is fine when that path exists in
 * the repository. The names are assembled here so this file does not match itself.
 */
const outsideNames = ['DESIGN', 'STYLE', 'API'].map((name) => `${name}.md`);
const sharedFolders = [`..${'/'}shared`, `/work${'/'}shared`];
/** An outside name with what precedes it: a path inside the repository, or nothing (bare). */
const namePattern = new RegExp(
  `([\\w./-]*?)(?<![\\w])(${outsideNames.map((name) => name.replace('.', '\\.')).join('|')})\\b`,
  'g',
);

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

function findOutsideReferences(): Finding[] {
  const findings: Finding[] = [];
  for (const file of filesUnder('.')) {
    const text = readText(file);
    if (text === undefined) continue;
    text.split('\n').forEach((line, index) => {
      const shared = sharedFolders.some((folder) => line.includes(folder));
      const outside = Array.from(line.matchAll(namePattern)).some(
        ([, path = '', name = '']) => !insideRepo(file, path + name),
      );
      if (shared || outside)
        findings.push({ file, line: index + 1, text: line.trim().slice(0, 160) });
    });
  }
  return findings;
}

/** A named path that exists, from the naming file's folder or from the repository's root. */
function insideRepo(file: string, reference: string): boolean {
  if (!reference.includes('/')) return false; // a bare name: the old, outside file
  return [join(repoRoot, dirname(file), reference), join(repoRoot, reference)].some(existsSync);
}

void describe('the repository stands on its own', () => {
  void it('given every file, then none refers to a design, style or contract file outside it', () => {
    const findings = findOutsideReferences().map((f) => `${f.file}:${f.line}: ${f.text}`);
    assert.deepEqual(findings, [], 'point these to docs/ (or the README section with the fact)');
  });

  void it('given a bare outside name or the shared folder, then the check finds it', () => {
    assert.ok(`see ${outsideNames[0]}`.match(namePattern));
    assert.equal(insideRepo('README.md', outsideNames[2] ?? ''), false);
    assert.equal(insideRepo('README.md', 'docs/contract.md'), true);
  });
});
