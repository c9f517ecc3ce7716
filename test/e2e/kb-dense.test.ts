// Dense retrieval on the generated tiny Qwen3-Embedding-shaped GGUF (pooling type "last"). Its weights are
// random, so vectors carry no meaning: the test exercises the code path (embedding, sqlite-vec storage, KNN,
// hybrid fusion, model checks), never retrieval quality.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestModel } from '../helpers/test-models.js';
import { writeKbFixtureFolder } from '../helpers/kb-fixtures.js';
import { createKnowledgeBase, createLlamaCppEmbedder, type Embedder } from '../../src/kb/index.js';

describe('knowledge base with vectors (tiny random-weight embedding model)', () => {
  let dir: string;
  let embedder: Embedder;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qr-kb-dense-'));
    await writeKbFixtureFolder(join(dir, 'docs'));
    embedder = await createLlamaCppEmbedder({ modelPath: await ensureTestModel('tiny-embedding') });
  });
  after(async () => embedder.close());

  it('embeds documents as unit vectors; identical texts get identical vectors, queries get the instruction', async () => {
    const [a, b, c] = await embedder.embedDocuments(['same text', 'same text', 'other text']);
    assert.equal(a!.length, embedder.dimensions);
    assert.ok(Math.abs(a!.reduce((sum, v) => sum + v * v, 0) - 1) < 1e-5);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.notDeepEqual(await embedder.embedQuery('same text'), a, 'the query is embedded with its instruction prefix');
  });

  it('backfills vectors for chunks ingested before an embedder was used, then searches by vector and hybrid', async () => {
    const path = join(dir, 'kb.sqlite');
    const plain = await createKnowledgeBase({ path, create: true });
    await plain.ingest([join(dir, 'docs')]);
    await assert.rejects(plain.search('valve', { retrieval: 'vector' }), { code: 'invalid_input' });
    await plain.close();

    const kb = await createKnowledgeBase({ path, embedder });
    try {
      const report = await kb.ingest([join(dir, 'docs')]);
      assert.equal(report.unchanged.length, 8);
      assert.equal(report.embedded, kb.info().chunks, 'every existing chunk got a vector');
      assert.equal(kb.info().vectors, kb.info().chunks);
      assert.equal(kb.info().settings.embeddingModel, embedder.model);

      const vector = await kb.search('quorbital valve', { retrieval: 'vector', k: 4, topN: 4 });
      assert.equal(vector.results.length, 4);
      const similarities = vector.results.map((r) => r.firstStageScore);
      assert.deepEqual(similarities, [...similarities].sort((x, y) => y - x));
      for (const s of similarities) assert.ok(s >= -1 - 1e-6 && s <= 1 + 1e-6);

      const hybrid = await kb.search('quorbital valve', { k: 6, topN: 6 });
      assert.equal(hybrid.retrieval, 'hybrid', 'hybrid is the default when vectors and an embedder are there');
      // The BM25 hit (the only chunk with "quorbital") is in the fused list whatever the random vectors say.
      assert.ok(hybrid.results.some((r) => r.chunk.text.includes('quorbital')));
      assert.ok(hybrid.results.every((r) => r.firstStageScore <= 2 / 61 + 1e-12), 'RRF scores');
    } finally {
      await kb.close();
    }
  });

  it('rejects an embedder other than the one the knowledge base was embedded with', async () => {
    const other: Embedder = { ...embedder, model: 'another-model.gguf' };
    const kb = await createKnowledgeBase({ path: join(dir, 'kb.sqlite'), embedder: other });
    try {
      await assert.rejects(kb.search('valve', { retrieval: 'vector' }), { code: 'invalid_input', field: 'embeddingModel' });
    } finally {
      await kb.close();
    }
  });
});
