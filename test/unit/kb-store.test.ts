// The knowledge-base store on a real SQLite file (better-sqlite3): a file replaced from batches that arrive across
// awaits (kb-store.ts `replaceFileInBatches`, used for large text files) holds no transaction while it waits, so
// other work on the same connection in the meantime is neither taken into it nor shown a partial file.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeBaseStore, type NewChunk } from '../../src/kb/store/kb-store.js';

const fileFacts = (path: string) => ({ path, sha256: path, size: 1, title: path, format: 'text' });
const chunk = (position: number, text: string): NewChunk => ({ position, text, tokens: text.split(' ').length });

/** Batches that stop before their second batch until `resume()`, then end, or fail when `fail` is set. */
function pausedBatches(words: string, options: { fail?: boolean } = {}) {
  let resume!: () => void;
  const paused = new Promise<void>((resolve) => (resume = resolve));
  let reachedPause!: () => void;
  const waiting = new Promise<void>((resolve) => (reachedPause = resolve));
  async function* batches(): AsyncGenerator<NewChunk[]> {
    yield [chunk(0, `${words} first`)];
    reachedPause();
    await paused;
    if (options.fail) throw new Error('the file could not be read');
    yield [chunk(1, `${words} second`)];
  }
  return { batches: batches(), waiting, resume };
}

describe('knowledge-base store: a file replaced from batches', () => {
  let dir: string;
  let store: KnowledgeBaseStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qr-kb-store-'));
    store = KnowledgeBaseStore.open(join(dir, 'kb.sqlite'), { create: true });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a write made on the same store while it waited for a batch, though it fails itself', async () => {
    const large = pausedBatches('glacier', { fail: true });
    const replacing = store.replaceFileInBatches(fileFacts('/large.txt'), large.batches);
    await large.waiting;
    store.replaceFile(fileFacts('/small.txt'), [chunk(0, 'fjord')]);
    large.resume();
    await assert.rejects(replacing, /could not be read/);
    assert.deepEqual(store.listFiles().map((f) => f.path), ['/small.txt']);
    assert.equal(store.searchLexical('fjord', 5).length, 1);
  });

  it('shows readers of the same store the old file until the new one is complete', async () => {
    store.replaceFile(fileFacts('/large.txt'), [chunk(0, 'moraine')]);
    const large = pausedBatches('glacier');
    const replacing = store.replaceFileInBatches(fileFacts('/large.txt'), large.batches);
    await large.waiting;
    assert.equal(store.fileByPath('/large.txt')?.chunkCount, 1);
    assert.equal(store.searchLexical('moraine', 5).length, 1);
    assert.equal(store.searchLexical('glacier', 5).length, 0);
    large.resume();
    assert.equal(await replacing, 2);
    assert.equal(store.fileByPath('/large.txt')?.chunkCount, 2);
    assert.equal(store.searchLexical('moraine', 5).length, 0);
    assert.equal(store.searchLexical('glacier', 5).length, 2);
  });

  it('lets two files be replaced from batches at the same time', async () => {
    const first = pausedBatches('glacier');
    const second = pausedBatches('tundra');
    const replacing = [store.replaceFileInBatches(fileFacts('/a.txt'), first.batches), store.replaceFileInBatches(fileFacts('/b.txt'), second.batches)];
    // Raced with the replaces themselves: one that is refused never reaches its pause.
    await Promise.race([Promise.all([first.waiting, second.waiting]), Promise.all(replacing)]);
    second.resume();
    first.resume();
    assert.deepEqual(await Promise.all(replacing), [2, 2]);
    assert.deepEqual(store.listFiles().map((f) => [f.path, f.chunkCount]), [['/a.txt', 2], ['/b.txt', 2]]);
    assert.deepEqual(store.chunksByIds(store.searchLexical('tundra', 5).map((hit) => hit.rowid)).size, 2);
  });
});
