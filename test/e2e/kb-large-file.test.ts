// A plain-text file far larger than the memory it may use: ingest reads it in blocks (src/kb/parse/text-blocks.ts),
// so a 48 MB file ingests within a 200 MB JavaScript heap (read whole, it ran out of memory there; a 200 MB file
// read whole peaked at 4 GB resident). A child process with the heap capped makes the bound a hard failure.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtFile } from '../helpers/built-package.js';

const FILE_BYTES = 48e6;
const HEAP_MB = 200;

describe('ingest of a large text file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'qr-kb-large-'));
    const words = 'the quick brown fox jumps over lazy dog reranker passage query document knowledge base chunk token'.split(' ');
    const fd = openSync(join(dir, 'large.txt'), 'w');
    let written = 0;
    for (let block = 0; written < FILE_BYTES; block++) {
      let text = block === 200 ? 'middlemarker ' : '';
      for (let i = 0; i < 20_000; i++) text += words[(block * 7 + i * 13) % words.length] + (i % 17 === 16 ? '.\n' : i % 400 === 399 ? '\n\n' : ' ');
      written += writeSync(fd, text);
    }
    writeSync(fd, '\nThe last line holds the endmarker word.\n');
    closeSync(fd);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it(`ingests ${FILE_BYTES / 1e6} MB within a ${HEAP_MB} MB heap, every part of it searchable`, { timeout: 300_000 }, async () => {
    const kbIndex = pathToFileURL(builtFile('kb/index.js')).href;
    const script = join(dir, 'ingest.mjs');
    writeFileSync(
      script,
      `import { createKnowledgeBase } from ${JSON.stringify(kbIndex)};
       const kb = await createKnowledgeBase({ path: process.argv[2], create: true });
       const report = await kb.ingest([process.argv[3]]);
       const hits = {};
       for (const word of ['middlemarker', 'endmarker']) hits[word] = (await kb.search(word, { k: 1 })).results.length;
       console.log(JSON.stringify({ chunks: report.chunks, failed: report.failed, files: kb.info().files, hits }));
       await kb.close();`,
    );
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, script, join(dir, 'kb.sqlite'), join(dir, 'large.txt')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr.slice(-2000));
    const result = JSON.parse(stdout) as { chunks: number; failed: unknown[]; files: number; hits: Record<string, number> };
    assert.deepEqual(result.failed, []);
    assert.equal(result.files, 1);
    assert.ok(result.chunks > 25_000, `${result.chunks} chunks`);
    assert.deepEqual(result.hits, { middlemarker: 1, endmarker: 1 });
  });
});
