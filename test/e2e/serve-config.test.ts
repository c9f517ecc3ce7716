// `qwen-ranker serve --config FILE` as a user runs it: a child process whose config points a remote (cohere
// flavour) engine at a real qwen-ranker peer on loopback; and a config with a typo failing with one line.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServeHandle } from '../../src/server/index.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { get, post, waitFor } from '../helpers/server-harness.js';
import { spawnCli } from '../helpers/run-cli.js';


function startCli(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawnCli(args);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

describe('serve --config', () => {
  let peer: ServeHandle;
  let dir: string;
  before(async () => {
    peer = await serve({ reranker: { model: await ensureTestModel('tiny') }, port: 0, logLevel: false, handleSignals: false, webUi: false });
    await peer.ready;
    dir = mkdtempSync(join(tmpdir(), 'qr-config-'));
  });
  after(() => peer.close());

  it('serves a remote fleet configured in the file, with the peer’s scores', async () => {
    const config = join(dir, 'fleet.json');
    writeFileSync(config, JSON.stringify({ engine: 'cohere', endpoints: [peer.url], remote: { timeoutMs: 30_000, maxDocumentsPerRequest: 2 }, limits: { maxDocumentsPerRequest: 50 } }));
    const front = startCli(['serve', '--config', config, '--port', '0', '--log-level', 'silent', '--served-model-name', 'front']);
    try {
      await waitFor(() => /serving .* on cohere/.test(front.output()), 60_000, 'the front server to be ready');
      const url = /listening on (http:\/\/\S+)/.exec(front.output())![1]!;
      const body = { query: 'capital of France', documents: ['Paris is in France.', 'Rome is in Italy.', 'Berlin.', 'Oslo.', 'Madrid.'] };
      const viaFront = await post(`${url}/v1/rerank`, body);
      const direct = await post(`${peer.url}/v1/rerank`, body);
      assert.equal(viaFront.status, 200, JSON.stringify(viaFront.body));
      const scores = (r: typeof direct) => Object.fromEntries((r.body.results as Array<{ index: number; relevance_score: number }>).map((x) => [x.index, x.relevance_score]));
      const expected = scores(direct);
      for (const [index, score] of Object.entries(scores(viaFront))) assert.ok(Math.abs(score - expected[index]!) < 1e-4, `document ${index}`);
      const ready = await get(`${url}/ready`);
      assert.equal(ready.body.engine, 'cohere');
      // --served-model-name names the model everywhere; a remote engine has no tokenizer here (501).
      assert.equal(ready.body.model, 'front');
      assert.deepEqual((await get(`${url}/v1/models`)).body.data.map((m: { id: string }) => m.id), ['front']);
      assert.equal((await post(`${url}/v1/rerank`, { ...body, model: 'other' })).status, 404);
      const tokenize = await post(`${url}/tokenize`, { prompt: 'q' });
      assert.equal(tokenize.status, 501);
      assert.equal(tokenize.body.error.code, 'not_supported');
      assert.equal((await get(`${url}/info`)).body.model_dtype, 'unknown');
      // The file's server limit applies: 51 documents are over it.
      const tooMany = await post(`${url}/v1/rerank`, { query: 'q', documents: Array.from({ length: 51 }, (_, i) => `d${i}`) });
      assert.equal(tooMany.status, 422);
      assert.equal(tooMany.body.error.field, 'documents');
    } finally {
      front.child.kill('SIGTERM');
    }
  });

  it('refuses an unknown setting with one line naming it, exit code 2', async () => {
    const config = join(dir, 'typo.json');
    writeFileSync(config, JSON.stringify({ engine: 'vllm', endpoints: ['http://127.0.0.1:1'], remote: { timeoutMS: 5 } }));
    const cli = startCli(['serve', '--config', config, '--port', '0']);
    const code = await new Promise<number | null>((resolve) => cli.child.on('close', resolve));
    assert.equal(code, 2);
    assert.match(cli.output(), /\/remote\/timeoutMS is not a known setting/);
    assert.doesNotMatch(cli.output(), /\n\s+at /);
  });

  it('refuses an option the engine does not take (a flag or a config setting) with one line naming it, exit code 2', async () => {
    const flag = startCli(['serve', '--engine', 'vllm', '--endpoint', 'http://127.0.0.1:1', '--gpu', 'cuda', '--port', '0']);
    const config = join(dir, 'remote-on-local.json');
    writeFileSync(config, JSON.stringify({ engine: 'onnx', remote: { timeoutMs: 5 } }));
    const setting = startCli(['serve', '--config', config, '--port', '0']);
    const exit = (cli: typeof flag) => new Promise<number | null>((resolve) => cli.child.on('close', resolve));
    assert.deepEqual(await Promise.all([exit(flag), exit(setting)]), [2, 2]);
    assert.equal(flag.output(), 'qwen-ranker: error [invalid_input] gpu is not an option of the vllm engine (gpu)\n');
    assert.equal(setting.output(), 'qwen-ranker: error [invalid_input] timeoutMs is not an option of the onnx engine (timeoutMs)\n');
  });
});
