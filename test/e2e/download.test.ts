import assert from 'node:assert/strict';
import { runCli } from '../helpers/run-cli.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { resolveModelPath } from '../../src/models/resolve-model.js';
import { downloadFile, type DownloadProgress } from '../../src/models/download.js';
import { fileResolveUrl } from '../../src/models/hub-client.js';
import type { RerankerError } from '../../src/spec/errors.js';
import { closedPortUrl, sha256 as sha, startHubServer, type HubServer } from '../helpers/hub-server.js';

const REPO = 'test-org/Tiny-Reranker-GGUF';
const Q8 = randomBytes(3_000_000);
const Q4 = randomBytes(200_000);
const NESTED = randomBytes(50_000);
const CORRUPT = randomBytes(100_000);

describe('model download from a Hub-like server', () => {
  let hub: HubServer;
  let modelsDir: string;
  const temporaryDirs: string[] = [];

  before(async () => {
    hub = await startHubServer({
      [REPO]: [
        { path: 'README.md', content: Buffer.from('# tiny'), lfs: false },
        { path: 'Tiny-Reranker.Q8_0.gguf', content: Q8 },
        { path: 'Tiny-Reranker.Q4_K_M.gguf', content: Q4 },
        { path: 'sub/nested-F16.gguf', content: NESTED },
      ],
      'test-org/Corrupt-GGUF': [{ path: 'corrupt.Q8_0.gguf', content: CORRUPT, advertisedSha256: 'ab'.repeat(32) }],
    });
  });
  after(() => hub.close());
  beforeEach(async () => {
    modelsDir = await mkdtemp(join(tmpdir(), 'qwen-ranker-models-'));
    temporaryDirs.push(modelsDir);
    hub.requests.length = 0;
    hub.cutNextDownloads([]);
  });

  it('downloads hf:owner/repo:QUANT into <modelsDir>/<owner>/<repo>/ with progress events', async () => {
    const events: DownloadProgress[] = [];
    const path = await resolveModelPath(`hf:${REPO}:Q8_0`, { modelsDir, hubUrl: hub.url, onProgress: (p) => events.push(p) });

    assert.equal(path, join(modelsDir, 'test-org', 'Tiny-Reranker-GGUF', 'Tiny-Reranker.Q8_0.gguf'));
    assert.ok((await readFile(path)).equals(Q8));
    assert.ok(events.length > 2, `expected several progress events, got ${events.length}`);
    assert.deepEqual(events.at(-1), { downloadedBytes: Q8.length, totalBytes: Q8.length, file: 'Tiny-Reranker.Q8_0.gguf' });
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.downloadedBytes >= events[i - 1]!.downloadedBytes);
    assert.deepEqual(
      hub.requests.map((r) => `${r.method} ${r.path}`),
      [`GET /api/models/${REPO}/tree/main`, `HEAD /${REPO}/resolve/main/Tiny-Reranker.Q8_0.gguf`, `GET /cdn/${sha(Q8)}`],
    );
    assert.deepEqual(await readdir(join(modelsDir, 'test-org', 'Tiny-Reranker-GGUF')), ['Tiny-Reranker.Q8_0.gguf']);
  });

  it('selects the quantization case-insensitively', async () => {
    const path = await resolveModelPath(`hf:${REPO}:q4_k_m`, { modelsDir, hubUrl: hub.url });
    assert.ok(path.endsWith('Tiny-Reranker.Q4_K_M.gguf'));
    assert.ok((await readFile(path)).equals(Q4));
  });

  it('downloads hf:owner/repo/path/file.gguf without listing the repo', async () => {
    const path = await resolveModelPath(`hf:${REPO}/sub/nested-F16.gguf`, { modelsDir, hubUrl: hub.url });
    assert.equal(path, join(modelsDir, 'test-org', 'Tiny-Reranker-GGUF', 'sub', 'nested-F16.gguf'));
    assert.ok((await readFile(path)).equals(NESTED));
    assert.ok(!hub.requests.some((r) => r.path.startsWith('/api/')));
  });

  it('resumes with Range after the server cuts the connection mid-file', async () => {
    hub.cutNextDownloads([1_000_000]);
    const path = await resolveModelPath(`hf:${REPO}:Q8_0`, { modelsDir, hubUrl: hub.url });

    const downloads = hub.requests.filter((r) => r.path.startsWith('/cdn/'));
    assert.equal(downloads.length, 2);
    assert.equal(downloads[0]!.range, undefined);
    assert.match(downloads[1]!.range ?? '', /^bytes=[1-9]\d*-$/);
    assert.ok((await readFile(path)).equals(Q8));
  });

  it('gives up with a retryable download_failed after attempts without progress, keeping the .part', async () => {
    hub.cutNextDownloads([100_000, 0, 0, 0]);
    const destination = join(modelsDir, 'Tiny-Reranker.Q8_0.gguf');
    const url = fileResolveUrl(hub.url, 'test-org', 'Tiny-Reranker-GGUF', 'Tiny-Reranker.Q8_0.gguf');
    await assert.rejects(downloadFile({ url, destination, hubUrl: hub.url, maxAttempts: 3, retryDelayMs: 1 }), (error: RerankerError) => {
      assert.equal(error.code, 'download_failed');
      assert.equal(error.retryable, true);
      assert.match(error.message, /after 3 attempts without progress.*run the same command again to resume/);
      return true;
    });
    assert.deepEqual(
      hub.requests.filter((r) => r.path.startsWith('/cdn/')).map((r) => r.range),
      [undefined, 'bytes=100000-', 'bytes=100000-', 'bytes=100000-'],
    );
    assert.deepEqual(await readdir(modelsDir), ['Tiny-Reranker.Q8_0.gguf.part']);
  });

  it('continues a .part file left by an earlier run', async () => {
    const directory = join(modelsDir, 'test-org', 'Tiny-Reranker-GGUF');
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'Tiny-Reranker.Q8_0.gguf.part'), Q8.subarray(0, 1_234_567));

    const path = await resolveModelPath(`hf:${REPO}:Q8_0`, { modelsDir, hubUrl: hub.url });

    const downloads = hub.requests.filter((r) => r.path.startsWith('/cdn/'));
    assert.deepEqual(downloads.map((r) => r.range), ['bytes=1234567-']);
    assert.ok((await readFile(path)).equals(Q8));
    assert.deepEqual(await readdir(directory), ['Tiny-Reranker.Q8_0.gguf']);
  });

  it('fails with download_failed and leaves no file when the SHA-256 does not match', async () => {
    await assert.rejects(resolveModelPath('hf:test-org/Corrupt-GGUF:Q8_0', { modelsDir, hubUrl: hub.url }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'download_failed');
      assert.match(error.message, /SHA-256 mismatch/);
      return true;
    });
    assert.deepEqual(await readdir(join(modelsDir, 'test-org', 'Corrupt-GGUF')), []);
  });

  it('fails with offline and says where to put the file when the hub is unreachable', async () => {
    const unreachable = await closedPortUrl();
    const expected = join(modelsDir, 'giladgd', 'Qwen3-Reranker-0.6B-GGUF', 'Qwen3-Reranker-0.6B.Q8_0.gguf');
    await assert.rejects(resolveModelPath(undefined, { modelsDir, hubUrl: unreachable }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'offline');
      assert.ok(error.message.startsWith(`cannot reach ${unreachable}`), error.message);
      assert.ok(error.message.includes(`put a GGUF at ${expected}`), error.message);
      assert.ok(error.message.includes('--model /path/to/model.gguf'), error.message);
      assert.ok(error.message.includes('qwen-ranker pull hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q8_0'), error.message);
      return true;
    });
  });

  it('reuses a downloaded file without any request, even with the hub unreachable', async () => {
    const directory = join(modelsDir, 'test-org', 'Tiny-Reranker-GGUF');
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'Tiny-Reranker.Q8_0.gguf'), 'already here');

    const viaQuant = await resolveModelPath(`hf:${REPO}:Q8_0`, { modelsDir, hubUrl: hub.url });
    const viaFile = await resolveModelPath(`hf:${REPO}/Tiny-Reranker.Q8_0.gguf`, { modelsDir, hubUrl: await closedPortUrl() });

    assert.equal(viaQuant, join(directory, 'Tiny-Reranker.Q8_0.gguf'));
    assert.equal(viaFile, viaQuant);
    assert.deepEqual(hub.requests, []);
  });

  it('fails with model_not_found listing the available quantizations', async () => {
    await assert.rejects(resolveModelPath(`hf:${REPO}:Q5_K_M`, { modelsDir, hubUrl: hub.url }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'model_not_found');
      assert.ok(error.message.includes('available: F16, Q4_K_M, Q8_0'), error.message);
      return true;
    });
  });

  it('fails with model_not_found for a repo the hub does not have', async () => {
    await assert.rejects(resolveModelPath('hf:test-org/Missing-GGUF:Q8_0', { modelsDir, hubUrl: hub.url }), { code: 'model_not_found' });
  });

  it('keeps the .part file when aborted, and a later call finishes it', async () => {
    const controller = new AbortController();
    const directory = join(modelsDir, 'test-org', 'Tiny-Reranker-GGUF');
    const onProgress = (p: DownloadProgress) => {
      if (p.downloadedBytes > 500_000) controller.abort();
    };
    await assert.rejects(resolveModelPath(`hf:${REPO}:Q8_0`, { modelsDir, hubUrl: hub.url, onProgress, signal: controller.signal }), {
      code: 'aborted',
    });
    assert.deepEqual(await readdir(directory), ['Tiny-Reranker.Q8_0.gguf.part']);

    const path = await resolveModelPath(`hf:${REPO}:Q8_0`, { modelsDir, hubUrl: hub.url });
    assert.ok((await readFile(path)).equals(Q8));
    assert.match(hub.requests.filter((r) => r.path.startsWith('/cdn/')).at(-1)?.range ?? '', /^bytes=[1-9]\d*-$/);
  });

  it('sends the token to the hub only, not to the CDN', async () => {
    await resolveModelPath(`hf:${REPO}:Q4_K_M`, { modelsDir, hubUrl: hub.url, token: 'hf_secret' });
    assert.deepEqual(
      hub.requests.map((r) => [r.path, r.authorization]),
      [
        [`/api/models/${REPO}/tree/main`, 'Bearer hf_secret'],
        [`/${REPO}/resolve/main/Tiny-Reranker.Q4_K_M.gguf`, 'Bearer hf_secret'],
        [`/cdn/${sha(Q4)}`, undefined],
      ],
    );
  });

  after(() => Promise.all(temporaryDirs.map((dir) => rm(dir, { recursive: true, force: true }))));
});

describe('local model paths', () => {
  it('returns the absolute path of an existing file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qwen-ranker-local-'));
    const file = join(directory, 'model.gguf');
    await writeFile(file, 'x');
    assert.equal(await resolveModelPath(file, {}), file);
    await rm(directory, { recursive: true });
  });

  it('fails with model_not_found naming a missing path', async () => {
    const missing = join(tmpdir(), 'qwen-ranker-no-such-dir', 'model.gguf');
    await assert.rejects(resolveModelPath(missing, {}), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'model_not_found');
      assert.ok(error.message.includes(missing), error.message);
      return true;
    });
  });

  it('fails with model_not_found for a directory', async () => {
    await assert.rejects(resolveModelPath(tmpdir(), {}), { code: 'model_not_found' });
  });
});


describe('qwen-ranker pull / models (CLI, child process)', () => {
  const SMALL = randomBytes(300_000);
  let hub: HubServer;
  let modelsDir: string;

  before(async () => {
    hub = await startHubServer({ 'giladgd/Qwen3-Reranker-0.6B-GGUF': [{ path: 'Qwen3-Reranker-0.6B.Q4_K_M.gguf', content: SMALL }] });
    modelsDir = await mkdtemp(join(tmpdir(), 'qwen-ranker-cli-models-'));
  });
  after(async () => {
    await hub.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('pull downloads from HF_ENDPOINT and prints the local path', async () => {
    const result = await runCli(['pull', 'hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q4_K_M', '--models-dir', modelsDir], { env: { HF_ENDPOINT: hub.url } });
    const expected = join(modelsDir, 'giladgd', 'Qwen3-Reranker-0.6B-GGUF', 'Qwen3-Reranker-0.6B.Q4_K_M.gguf');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${expected}\n`);
    assert.ok((await readFile(expected)).equals(SMALL));
  });

  it('models --json marks the downloaded quantization', async () => {
    const result = await runCli(['models', '--json', '--models-dir', modelsDir], {});
    assert.equal(result.code, 0, result.stderr);
    const listing = JSON.parse(result.stdout) as { default: string; models: Array<{ uri: string; path: string | null; sizeClass: string }> };
    assert.equal(listing.default, 'hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q8_0');
    assert.deepEqual(new Set(listing.models.map((m) => m.sizeClass)), new Set(['0.6B', '4B', '8B']));
    assert.deepEqual(
      listing.models.filter((m) => m.path !== null).map((m) => m.uri),
      ['hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q4_K_M'],
    );
  });

  it('models prints a table with a DOWNLOADED column', async () => {
    const result = await runCli(['models', '--models-dir', modelsDir], {});
    assert.equal(result.code, 0, result.stderr);
    const q4 = result.stdout.split('\n').find((line) => line.includes('0.6B-GGUF:Q4_K_M'));
    const q8 = result.stdout.split('\n').find((line) => line.includes('0.6B-GGUF:Q8_0'));
    assert.match(q4 ?? '', /\byes\b/);
    assert.match(q8 ?? '', /\bno\b.*\(default\)/);
  });

  it('pull without network exits 1 with a one-line offline error that says what to do', async () => {
    const result = await runCli(['pull', '--models-dir', modelsDir], { env: { HF_ENDPOINT: await closedPortUrl() } });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^qwen-ranker: error \[offline\] cannot reach .* put a GGUF at .*Qwen3-Reranker-0\.6B\.Q8_0\.gguf or pass --model/);
  });
});
