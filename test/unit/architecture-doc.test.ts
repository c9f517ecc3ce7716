// docs/architecture.md names files to say where things live; a file moved or renamed without the document following
// it leaves the document wrong (it once named link-signals.ts, long after that became core/abort-signals.ts). Every
// file name it mentions must exist: a path relative to the repository, src/ or node_modules/ (another package's file),
// and a bare name as the name of some file of the project. Also documents (docs/*.md) linked from it must exist.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

/** Names of every file under the project's own folders. */
function projectFileNames(): Set<string> {
  const names = new Set<string>(readdirSync(root));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else names.add(entry.name);
    }
  };
  for (const dir of ['src', 'test', 'web', 'bench', 'scripts', 'docs', 'examples', '.ci']) walk(dir);
  return names;
}

/** File names and paths in the text: words ending in a source or document extension (globs excluded). */
function mentionedFiles(text: string): string[] {
  const found = text.match(/(?<![\w/.-])(?:\.{1,2}\/)*[\w@.-]+(?:\/[\w@.-]+)*\.(?:ts|tsx|mjs|js|json|md|txt|sh)(?![\w/])/g) ?? [];
  return [...new Set(found)].filter((name) => !/^\d/.test(name));
}

describe('docs/architecture.md', () => {
  const names = projectFileNames();
  const mentioned = mentionedFiles(doc);

  it('names files (the check below has something to check)', () => {
    assert.ok(mentioned.length >= 20, `only ${mentioned.length} file names found: ${mentioned.join(', ')}`);
  });

  it('names only files that exist', () => {
    const missing = mentioned.filter((name) => {
      if (!name.includes('/')) return !names.has(name);
      return ![root, join(root, 'src'), join(root, 'node_modules'), join(root, 'docs')].some((base) => existsSync(join(base, name)));
    });
    assert.deepEqual(missing, [], `docs/architecture.md names files that do not exist: ${missing.join(', ')}`);
  });

  it('fails on a name that does not exist (the check can fail)', () => {
    const [name] = mentionedFiles('the scheduler lives in `core/link-signals.ts`');
    assert.equal(name, 'core/link-signals.ts');
    assert.ok(!existsSync(join(root, 'src', name)) && !names.has(basename(name)));
  });
});
