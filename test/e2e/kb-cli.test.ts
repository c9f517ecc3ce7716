// `qwen-ranker kb` as a user runs it (child processes, real files) with the generated tiny reranker, plus the
// server route on the real app. The tiny model has random weights: its scores mean nothing, so tests check
// structure (ranks, fields, thresholds), never which document wins.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestModel } from '../helpers/test-models.js';
import { runCli } from '../helpers/run-cli.js';
import { writeKbFixtureFolder } from '../helpers/kb-fixtures.js';
import { startFakeChatServer, type FakeChatServer } from '../helpers/fake-chat-server.js';
import { createReranker, type Reranker } from '../../src/index.js';
import { createApp } from '../../src/server/index.js';


const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

describe('qwen-ranker kb', () => {
  let model: string;
  let dir: string;
  let kbDir: string;
  let llm: FakeChatServer;
  before(async () => {
    model = await ensureTestModel('tiny');
    dir = mkdtempSync(join(tmpdir(), 'qr-kb-cli-'));
    kbDir = join(dir, 'kbs');
    await writeKbFixtureFolder(join(dir, 'docs'));
    llm = await startFakeChatServer(() => 'The valve must be closed [1].');
  });
  after(async () => llm.close());

  it('ingest reads a folder, reports the corrupt file on stderr and succeeds', async () => {
    const result = await run(['kb', 'ingest', join(dir, 'docs'), '--kb', 'demo', '--kb-dir', kbDir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /demo: 8 added, 0 updated, 0 unchanged, 1 failed/);
    assert.match(result.stderr, /skipped unreadable file .*broken\.pdf/);
    const again = await run(['kb', 'ingest', join(dir, 'docs'), '--kb', 'demo', '--kb-dir', kbDir, '--json']);
    const { report } = JSON.parse(again.stdout) as { report: { unchanged: string[] } };
    assert.equal(report.unchanged.length, 8);
  });

  it('search --json reranks the candidates and keeps each first-stage rank', async () => {
    const result = await run(['kb', 'search', 'quorbital valve startup', '--kb', 'demo', '--kb-dir', kbDir, '--model', model, '--k', '5', '--top-n', '3', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { reranked: boolean; candidates: number; results: Array<{ rank: number; score: number; first_stage_rank: number; path: string; page: number | null }> };
    assert.equal(out.reranked, true);
    assert.ok(out.results.length >= 1 && out.results.length <= 3);
    assert.deepEqual(out.results.map((r) => r.rank), out.results.map((_, i) => i + 1));
    const scores = out.results.map((r) => r.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    for (const r of out.results) assert.ok(r.first_stage_rank >= 1 && r.first_stage_rank <= out.candidates);
    assert.ok(out.results.some((r) => r.path.endsWith('manual.pdf') && r.page === 2));
  });

  it('ask streams the answer from the LLM and lists the cited sources', async () => {
    const result = await run(['kb', 'ask', 'What about the quorbital valve?', '--kb', 'demo', '--kb-dir', kbDir, '--model', model, '--min-score', '0', '--llm-url', llm.url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^The valve must be closed \[1\]\.\n\nSources:\n\[1\] /);
    assert.match(llm.requests.at(-1)!.body.messages[1]!.content, /Question: What about the quorbital valve\?/);
  });

  it('ask without --llm-url prints the messages an LLM would get and says so', async () => {
    const result = await run(['kb', 'ask', 'What about the quorbital valve?', '--kb', 'demo', '--kb-dir', kbDir, '--model', model, '--min-score', '0']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /no --llm-url: printing the messages an LLM would get, not an answer/);
    assert.match(result.stdout, /^--- system ---\n[\s\S]*--- user ---\n[\s\S]*Question: What about the quorbital valve\?[\s\S]*\n\nSources:\n\[1\] /);
  });

  it('ask says nothing relevant was found, without calling the LLM, when no chunk passes --min-score', async () => {
    const before = llm.requests.length;
    const result = await run(['kb', 'ask', 'quorbital valve', '--kb', 'demo', '--kb-dir', kbDir, '--model', model, '--min-score', '1', '--llm-url', llm.url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Nothing relevant found in demo/);
    assert.equal(llm.requests.length, before);
  });

  it('ask --context evidence sends excerpts of the chunk around the best sentence search --evidence shows; --evidence and --context evidence are refused with --no-rerank, --evidence in ask without --context evidence', async () => {
    // page.html is the only chunk with "marmalune": four sentences, so one evidence sentence and its neighbours
    // leave at least one out.
    const paragraph = `The moon pulls the oceans and makes the marmalune tides. ${'Readability needs a few sentences of prose before it accepts a page as an article. '.repeat(3).trim()}`;
    const ask = await run(['kb', 'ask', 'marmalune tides', '--kb', 'demo', '--kb-dir', kbDir, '--model', model, '--k', '1', '--top-n', '1', '--min-score', '0', '--context', 'evidence', '--evidence', '1', '--json']);
    assert.equal(ask.code, 0, ask.stderr);
    const { context, messages } = JSON.parse(ask.stdout) as { context: string; messages: Array<{ content: string }> };
    assert.equal(context, 'evidence');
    const excerpt = /\[1\] page\.html\n([\s\S]*)\n\nQuestion: marmalune tides$/.exec(messages[1]!.content)?.[1];
    assert.ok(excerpt && excerpt.length < paragraph.length, messages[1]!.content);
    for (const piece of excerpt.split(' … ')) assert.ok(paragraph.includes(piece), piece);

    // The search table shows the best sentence under the chunk preview.
    const search = await run(['kb', 'search', 'marmalune tides', '--kb', 'demo', '--kb-dir', kbDir, '--model', model, '--k', '1', '--evidence', '1']);
    assert.equal(search.code, 0, search.stderr);
    const best = /\n {7}↳ (0\.\d{4}) {2}(.+)\n$/.exec(search.stdout);
    assert.ok(best && paragraph.includes(best[2]!) && excerpt.includes(best[2]!), search.stdout);

    const refused = await run(['kb', 'search', 'x', '--kb', 'demo', '--kb-dir', kbDir, '--no-rerank', '--evidence', '1']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--evidence needs the reranker/);
    const refusedAsk = await run(['kb', 'ask', 'x', '--kb', 'demo', '--kb-dir', kbDir, '--no-rerank', '--context', 'evidence']);
    assert.equal(refusedAsk.code, 2);
    assert.match(refusedAsk.stderr, /--context evidence needs the reranker/);
    const evidenceWithChunks = await run(['kb', 'ask', 'x', '--kb', 'demo', '--kb-dir', kbDir, '--evidence', '2']);
    assert.equal(evidenceWithChunks.code, 2);
    assert.match(evidenceWithChunks.stderr, /pass --context evidence/);
  });

  it('list shows the knowledge base; a missing one is a usage error', async () => {
    const list = await run(['kb', 'list', '--kb-dir', kbDir, '--json']);
    const entries = JSON.parse(list.stdout) as Array<{ name: string; files: number }>;
    assert.deepEqual(entries.map((e) => [e.name, e.files]), [['demo', 8]]);
    const missing = await run(['kb', 'search', 'x', '--kb', 'nope', '--kb-dir', kbDir, '--no-rerank']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\[not_found\].*does not exist/);
  });

  describe('POST /api/kb/:name/search', () => {
    let reranker: Reranker;
    before(async () => {
      reranker = await createReranker({ model });
    });
    after(async () => reranker.close());

    it('answers first-stage and reranked ranks; an unknown knowledge base is a 404, a bad body a 400', async () => {
      const app = createApp({ reranker, webUi: false, knowledgeBasesDir: kbDir });
      try {
        const ok = await app.inject({ method: 'POST', url: '/api/kb/demo/search', payload: { query: 'glaciers carve fjords', k: 4, top_n: 2 } });
        assert.equal(ok.statusCode, 200, ok.body);
        const body = ok.json() as { reranked: boolean; model: string; results: Array<{ score: number; first_stage_rank: number; text: string }>; usage: { input_tokens: number } };
        assert.equal(body.reranked, true);
        assert.equal(body.model, 'qwen3-tiny.random-weights', 'the served name, never the file path');
        assert.ok(body.results.length >= 1 && body.results.length <= 2);
        assert.ok(body.usage.input_tokens > 0);
        const firstStageOnly = await app.inject({ method: 'POST', url: '/api/kb/demo/search', payload: { query: 'glaciers', rerank: false } });
        assert.equal((firstStageOnly.json() as { results: Array<{ score: null }> }).results[0]!.score, null);
        const missing = await app.inject({ method: 'POST', url: '/api/kb/nope/search', payload: { query: 'x' } });
        assert.equal(missing.statusCode, 404);
        assert.equal((missing.json() as { error: { code: string; field: string } }).error.field, 'name');
        const bad = await app.inject({ method: 'POST', url: '/api/kb/demo/search', payload: { query: 'x', topN: 3 } });
        assert.equal(bad.statusCode, 400);
      } finally {
        await app.close();
      }
    });

    it('with evidence, each result carries its best spans of its text; evidence below 1 or without reranking is a 400 naming the field', async () => {
      const app = createApp({ reranker, webUi: false, knowledgeBasesDir: kbDir });
      try {
        const payload = { query: 'installer zephyrine package', k: 4, top_n: 2 };
        const ok = await app.inject({ method: 'POST', url: '/api/kb/demo/search', payload: { ...payload, evidence: 1 } });
        assert.equal(ok.statusCode, 200, ok.body);
        const body = ok.json() as { results: Array<{ text: string; evidence: Array<{ start: number; end: number; text: string; score: number; logit: number }> }>; usage: { input_tokens: number; evidence_spans: number } };
        for (const result of body.results) {
          assert.equal(result.evidence.length, 1);
          const [span] = result.evidence;
          assert.equal(result.text.slice(span!.start, span!.end), span!.text);
          assert.ok(Math.abs(span!.score - 1 / (1 + Math.exp(-span!.logit))) < 1e-9);
        }
        const plain = await app.inject({ method: 'POST', url: '/api/kb/demo/search', payload });
        const plainBody = plain.json() as { results: Array<Record<string, unknown>>; usage: { input_tokens: number } };
        assert.ok(plainBody.results.every((result) => !('evidence' in result)), 'no evidence key without the field');
        assert.deepEqual(Object.keys(plainBody.usage), ['input_tokens']);
        assert.ok(body.usage.input_tokens > plainBody.usage.input_tokens, 'the spans count toward the usage tokens');
        assert.ok(body.usage.evidence_spans >= body.results.length);
        for (const bad of [{ ...payload, evidence: 0 }, { ...payload, evidence: 1, rerank: false }]) {
          const refused = await app.inject({ method: 'POST', url: '/api/kb/demo/search', payload: bad });
          assert.equal(refused.statusCode, 400, refused.body);
          assert.equal((refused.json() as { error: { field: string } }).error.field, 'evidence');
        }
      } finally {
        await app.close();
      }
    });
  });
});
