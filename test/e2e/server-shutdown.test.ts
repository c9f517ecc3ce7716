// `qwen-ranker serve` as a real child process on the tiny model: it listens before the model is loaded, prints
// its banner (with the demo-model warning), and on SIGTERM refuses new requests with 503 while the in-flight
// ones finish, then exits with code 0.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ensureTestModel } from '../helpers/test-models.js';
import { get, post, waitFor } from '../helpers/server-harness.js';
import { cliPath } from '../helpers/run-cli.js';

async function metric(url: string, name: string): Promise<number> {
  const { body } = await get<string>(`${url}/metrics`);
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

describe('qwen-ranker serve process', () => {
  let child: ChildProcess | undefined;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('drains on SIGTERM: in-flight requests finish, new ones get 503, then the process exits 0', async () => {
    const model = await ensureTestModel('tiny');
    // The llama.cpp engine, explicitly: the test holds one request running and two queued by their timing on the
    // tiny model, where an ONNX run takes about a millisecond.
    child = spawn(
      process.execPath,
      [cliPath(), 'serve', '--model', model, '--engine', 'llama-cpp', '--port', '0', '--log-level', 'warn', '--max-concurrent', '1', '--drain-timeout', '60000'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');

    await waitFor(() => /listening on http:\/\/\S+/.test(stderr), 60_000, 'the server to listen');
    const url = /listening on (http:\/\/\S+)/.exec(stderr)![1]!;
    assert.equal((await get(`${url}/health`)).status, 200, '/health answers while the model loads');
    await waitFor(async () => (await get(`${url}/ready`)).status === 200, 60_000, '/ready to turn 200');
    assert.match(stderr, /RANDOM-WEIGHT DEMO/);
    assert.equal((await get(`${url}/ready`)).body.demo, true);

    const inFlight = [0, 1, 2].map((n) =>
      post(`${url}/v1/rerank`, {
        query: `drain ${n}`,
        documents: Array.from({ length: 8 }, (_, i) => `in-flight document ${n}.${i} that must still be answered`),
      }),
    );
    await waitFor(
      async () => (await metric(url, 'qwen_ranker_requests_running')) === 1 && (await metric(url, 'qwen_ranker_requests_queued')) === 2,
      30_000,
      'one request running and two queued',
    );
    child.kill('SIGTERM');
    await waitFor(async () => (await get(`${url}/health`)).body.status === 'draining', 10_000, '/health to report draining');
    const refused = await post(`${url}/v1/rerank`, { query: 'late', documents: ['too late'] });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'closed');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal((await get(`${url}/ready`)).status, 503);

    for (const response of await Promise.all(inFlight)) {
      assert.equal(response.status, 200);
      assert.equal(response.body.results.length, 8);
    }
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, stderr);
  });
});
