// The ONNX Runtime engine beyond the golden cases: agreement with llama.cpp on quantized files, 8-bit activation
// quantization on outlier activations, documents scored alone or together, prefix reuse, and the automatic choice.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createReranker, RerankerError, type LocalEngineKind, type Reranker, type ScorePair } from '../../src/index.js';
import { goldenCases, goldenTolerance } from '../helpers/golden-suite.js';
import * as ort from 'onnxruntime-node';
import { readRerankerGguf } from '../../src/engines/local/gguf-checks.js';
import { GgufTensorFile } from '../../src/engines/onnx/gguf-tensors.js';
import { readQwen3Config } from '../../src/engines/onnx/qwen3-config.js';
import { Qwen3Session } from '../../src/engines/onnx/qwen3-session.js';
import { ensureTestModel, type TestModelVariant } from '../helpers/test-models.js';

const goldenPairs: ScorePair[] = goldenCases.map((c) => ({ query: c.query, document: c.document, instruction: c.instruction }));

/**
 * Which golden cases a comparison scores: `all`, or `short` (every case but the 8192-token one, which takes 3–10 s
 * per run on the tiny model). Only the F32-KV comparison below needs the long case (it has its own bound); the
 * others compare quantization errors over many cases, and scoring it in all ten runs made this file the suite's
 * slowest.
 */
type CaseSet = 'all' | 'short';
const inSet = (set: CaseSet, i: number) => set === 'all' || goldenCases[i]!.max_length < 8192;
const casesOf = (set: CaseSet) => goldenCases.filter((_, i) => inSet(set, i));

/** Golden scores already computed in this file: several tests compare the same runs. */
const goldenRuns = new Map<string, Promise<number[]>>();

/** Scores a set of golden cases (each with its own max_length) on one engine; each combination runs once per file. */
function goldenScores(variant: TestModelVariant, engine: LocalEngineKind, kvCacheType?: 'f16' | 'f32', set: CaseSet = 'all'): Promise<number[]> {
  const key = (s: CaseSet) => `${variant}/${engine}/${kvCacheType ?? 'default'}/${s}`;
  const all = goldenRuns.get(key('all'));
  if (set === 'short' && all) return all.then((scores) => scores.filter((_, i) => inSet('short', i)));
  let run = goldenRuns.get(key(set));
  if (!run) goldenRuns.set(key(set), (run = computeGoldenScores(variant, engine, kvCacheType, set)));
  return run;
}

async function computeGoldenScores(variant: TestModelVariant, engine: LocalEngineKind, kvCacheType: 'f16' | 'f32' | undefined, set: CaseSet): Promise<number[]> {
  const options = engine === 'llama-cpp' ? { engine, kvCacheType } : { engine };
  const ranker = await createReranker({ model: await ensureTestModel(variant), cacheSize: 0, ...options });
  try {
    assert.equal(ranker.info.engine, engine);
    const scores: number[] = [];
    for (const [i, c] of goldenCases.entries()) {
      if (inSet(set, i)) scores.push((await ranker.score([goldenPairs[i]!], { maxLength: c.max_length }))[0]!.score);
    }
    return scores;
  } finally {
    await ranker.close();
  }
}

function maxDifference(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

/**
 * Both engines multiply Q8_0/Q4_0 weights by activations quantized to 8 bits per block of 32, the ONNX engine with
 * llama.cpp's fp16-rounded block scales. With llama.cpp's default F16 KV cache their rounding still differs (F16
 * keys, values, queries and attention weights move activations by ~1e-3 relative, which flips some 8-bit roundings
 * downstream, and the 2-layer, 64-wide tiny model turns that into score changes of ~1e-2). So each engine is also
 * compared with the F32 computation of the same weight values: ONNX must stay within twice llama.cpp's distance
 * (measured: Q8_0 on the 15 short golden cases 8.5e-3 vs 5.6e-3; outliers on all 16 9.4e-2 vs 8.7e-2; a wrong weight
 * mapping gives errors near 1).
 */
async function quantizationErrors(quantized: TestModelVariant, float: TestModelVariant, set: CaseSet): Promise<{ onnx: number; llama: number; between: number }> {
  const reference = await goldenScores(float, 'onnx', undefined, set);
  const onnx = await goldenScores(quantized, 'onnx', undefined, set);
  const llama = await goldenScores(quantized, 'llama-cpp', undefined, set);
  return { onnx: maxDifference(onnx, reference), llama: maxDifference(llama, reference), between: maxDifference(onnx, llama) };
}

describe('ONNX engine on quantized files', () => {
  it('the float path agrees with llama.cpp within the golden tolerances on F32 weights holding Q8_0 values', async () => {
    const onnx = await goldenScores('tiny-q8-f32', 'onnx', undefined, 'short');
    const llama = await goldenScores('tiny-q8-f32', 'llama-cpp', undefined, 'short');
    casesOf('short').forEach((c, i) => {
      const tolerance = goldenTolerance(c.expected.input_tokens);
      assert.ok(Math.abs(onnx[i]! - llama[i]!) < tolerance, `case ${i}: ONNX ${onnx[i]} vs llama.cpp ${llama[i]}`);
    });
  });

  it('Q8_0: computes what llama.cpp computes with an F32 KV cache: most cases within 1e-6, all within 2e-2 (×10 for the 8192-token case)', async (t) => {
    // Both quantize activations to 8 bits per block of 32, so most cases agree to rounding noise. Where one
    // activation lands on a rounding tie, the two engines' kernels (which differ by CPU: AVX2 on AMD EPYC,
    // AVX-512 VNNI on Intel Xeon) can round it apart, and on this random-weight model one such flip moves a score
    // by up to ~1e-2. Measured: on AMD EPYC 13 of 16 cases within 2e-7, the others 5.7e-5 and 4.0e-3; on an Intel
    // Xeon (Sapphire Rapids) the same plus one case at 1.08e-2. The 8192-token case differs by 2.4e-2 on both: it
    // differs by 5.6e-3 even on F32 weights (long-context attention and RoPE arithmetic), and SPEC.md allows it 10×
    // the tolerance of the others as well.
    const onnx = await goldenScores('tiny-q8', 'onnx');
    const llama = await goldenScores('tiny-q8', 'llama-cpp', 'f32');
    const differences = goldenCases.map((_, i) => Math.abs(onnx[i]! - llama[i]!));
    t.diagnostic(JSON.stringify(differences.map((d) => d.toExponential(2))));
    goldenCases.forEach((c, i) => {
      const tolerance = (2e-2 * goldenTolerance(c.expected.input_tokens)) / goldenTolerance(0);
      assert.ok(differences[i]! < tolerance, `case ${i}: ONNX ${onnx[i]} vs llama.cpp ${llama[i]} (tolerance ${tolerance})`);
    });
    const agreeing = differences.filter((d) => d < 1e-6).length;
    assert.ok(agreeing >= 12, `only ${agreeing} of ${differences.length} cases agree within 1e-6`);
  });

  it('Q8_0: strays from the F32 computation of the same weights at most twice as far as llama.cpp (golden cases)', async (t) => {
    const errors = await quantizationErrors('tiny-q8', 'tiny-q8-f32', 'short');
    t.diagnostic(JSON.stringify(errors));
    assert.ok(errors.onnx <= 2 * errors.llama, `ONNX ${errors.onnx} vs llama.cpp ${errors.llama} from F32`);
    assert.ok(errors.between < 3.5e-2, `max |ONNX − llama.cpp| = ${errors.between}`);
  });

  it('8-bit activations on outlier channels (×50): ONNX strays from F32 at most twice as far as llama.cpp', async (t) => {
    // tiny-outlier-q8: 3 hidden channels ×50 through the embeddings and norms; tiny-outlier-f32: the same Q8_0
    // weight values stored as F32, so the float path isolates what quantizing activations per block costs.
    // With the 8192-token case: on the short cases alone ONNX strays 2.2× as far (5.6e-3 vs 2.5e-3), with it the
    // long case's larger errors decide both (9.4e-2 vs 8.7e-2).
    const errors = await quantizationErrors('tiny-outlier-q8', 'tiny-outlier-f32', 'all');
    t.diagnostic(JSON.stringify(errors));
    assert.ok(errors.onnx <= 2 * errors.llama, `ONNX ${errors.onnx} vs llama.cpp ${errors.llama} from F32`);
  });

  it('Q4_0 runs on MatMulNBits 4-bit and agrees with llama.cpp as closely as Q8_0 does', async (t) => {
    const difference = maxDifference(await goldenScores('tiny-q4', 'onnx', undefined, 'short'), await goldenScores('tiny-q4', 'llama-cpp', undefined, 'short'));
    t.diagnostic(`max |ONNX − llama.cpp| = ${difference}`);
    assert.ok(difference < 3.5e-2, `max |ONNX − llama.cpp| = ${difference}`);
  });

  it('refuses a Q4_1 file with a typed error naming the type', async () => {
    const model = await ensureTestModel('tiny-q4_1');
    await assert.rejects(createReranker({ model, engine: 'onnx' }), (error: unknown) => {
      assert.ok(error instanceof RerankerError);
      assert.equal(error.code, 'model_load_failed');
      assert.match(error.message, /Q4_1/);
      return true;
    });
  });
});

describe('ONNX engine on the tiny model', () => {
  let ranker: Reranker;
  before(async () => {
    ranker = await createReranker({ model: await ensureTestModel('tiny'), engine: 'onnx', cacheSize: 0 });
  });
  after(() => ranker.close());

  it('names itself in info and status', () => {
    assert.equal(ranker.info.engine, 'onnx');
    assert.equal(ranker.info.device, 'cpu');
    assert.equal(ranker.info.demo, true);
    assert.ok(typeof ranker.status().threads === 'number');
  });

  it('scores a document alone exactly as together with others', async () => {
    const documents = goldenCases.filter((c) => c.expected.input_tokens < 1000).map((c) => c.document);
    const query = 'What is the capital of France?';
    const together = await ranker.rerank(query, documents);
    for (const [index, document] of documents.entries()) {
      const [alone] = await ranker.score([{ query, document }]);
      const joint = together.results.find((r) => r.index === index)!;
      assert.equal(alone!.logit, joint.logit, `document ${index}`);
    }
  });

  it('evaluates the shared prefix once per query, not once per document', async () => {
    const before = ranker.stats();
    const documents = ['one', 'two', 'three', 'four', 'five'];
    await ranker.rerank('a query the engine has not seen', documents);
    const after = ranker.stats();
    const evaluated = after.evaluatedTokens - before.evaluatedTokens;
    const prompts = after.promptTokens - before.promptTokens;
    const [one] = await ranker.score([{ query: 'a query the engine has not seen', document: 'one' }]);
    const prefix = one!.inputTokens - 10; // a one-word document and the suffix take ~10 tokens
    assert.ok(evaluated < prompts - 3 * prefix, `evaluated ${evaluated} of ${prompts} prompt tokens`);
  });

  it('runs the model off the event loop (onnxruntime-node runs a session synchronously on its calling thread)', async () => {
    // 24 prompts of ~600 tokens. The event loop's utilization (the share of the time it was running, not waiting for
    // events) does not depend on how busy the machine is: a thread descheduled while it waits still waits. A session
    // run on the main thread keeps the loop running for the whole run (utilization near 1); in the worker only
    // tokenization and scheduling run there: measured 0.16–0.23 under a load average of 5 on 2 cores. (The test timed
    // timer gaps before, and failed on a loaded CI machine: 1,644 ms "blocked" of 4,617.)
    const body = goldenCases.find((c) => c.expected.input_tokens === 593)!.document;
    const documents = Array.from({ length: 24 }, (_, i) => `${i} ${body}`);
    const start = performance.eventLoopUtilization();
    await ranker.rerank('where is the event loop?', documents);
    const { utilization, active } = performance.eventLoopUtilization(start);
    assert.ok(utilization < 0.5, `the event loop ran ${active.toFixed(0)} ms, ${(utilization * 100).toFixed(0)}% of the request`);
  });

  it('cancels queued work when the signal aborts', async () => {
    const controller = new AbortController();
    const documents = Array.from({ length: 200 }, (_, i) => `document number ${i} with some words`);
    const pending = ranker.rerank('cancel me', documents, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: unknown) => error instanceof RerankerError && error.code === 'aborted');
  });
});

describe('documents packed into one run', () => {
  // Token ids of plain words (any ids below the vocabulary size would do: the session takes ids, not text).
  const tokens = (length: number, seed: number) => Array.from({ length }, (_, i) => 1000 + ((i * 37 + seed * 101) % 5000));

  for (const variant of ['tiny', 'tiny-q8'] as const) {
    it(`${variant}: a document scores the same, to the bit, alone and between neighbours of any length`, async () => {
      const path = await ensureTestModel(variant);
      const file = await GgufTensorFile.fromFileInfo(path, (await readRerankerGguf(path)).info);
      const session = await Qwen3Session.create(ort, file, readQwen3Config(file), { threads: 2 });
      try {
        const past = await session.extend(tokens(37, 0));
        const document = tokens(23, 1);
        const [alone] = await session.score([document], past);
        // Neighbour lengths on both sides of every alignment offset (on tiny F32 weights, packing without aligned
        // attention rows moved scores by up to 1e-6).
        for (const length of [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31]) {
          const [, after] = await session.score([tokens(length, 2), document], past);
          const [between] = (await session.score([tokens(length, 3), document, tokens(length + 4, 4)], past)).slice(1, 2);
          assert.equal(after, alone, `after a ${length}-token document`);
          assert.equal(between, alone, `between documents of ${length} and ${length + 4} tokens`);
        }
        const [first] = await session.score([document, tokens(9, 5)], past);
        assert.equal(first, alone, 'before another document');
      } finally {
        await session.close();
      }
    });
  }

  it('packs short documents of one request into shared runs, and the engine gives each its own score', async () => {
    const ranker = await createReranker({ model: await ensureTestModel('tiny-q8'), engine: 'onnx', cacheSize: 0 });
    try {
      const query = 'which document mentions the harbour?';
      const documents = Array.from({ length: 12 }, (_, i) => `${'word '.repeat(1 + ((i * 7) % 13))}document ${i} ${i % 3 === 0 ? 'the harbour' : 'a field'}`);
      const together = await ranker.rerank(query, documents);
      for (const [index, document] of documents.entries()) {
        const [alone] = await ranker.score([{ query, document }]);
        assert.equal(together.results.find((r) => r.index === index)!.logit, alone!.logit, `document ${index}`);
      }
    } finally {
      await ranker.close();
    }
  });
});

describe('automatic engine choice', () => {
  const engineFor = async (variant: TestModelVariant, options: { gpu?: false } = {}) => {
    const ranker = await createReranker({ model: await ensureTestModel(variant), ...options });
    try {
      return ranker.info.engine;
    } finally {
      await ranker.close();
    }
  };

  it('is the ONNX engine on a CPU (measured ≥ 1.3× the llama.cpp engine on both bench workloads)', async () => {
    assert.equal(await engineFor('tiny'), 'onnx');
    assert.equal(await engineFor('tiny-q8', { gpu: false }), 'onnx');
  });

  it('falls back to llama.cpp for a file with tensor types the ONNX engine does not run (Q4_1)', async () => {
    assert.equal(await engineFor('tiny-q4_1'), 'llama-cpp');
  });

  it('still reports a file that is no reranker as not_a_reranker, without trying llama.cpp', async () => {
    await assert.rejects(createReranker({ model: await ensureTestModel('tiny-embedding') }), (error: unknown) => error instanceof RerankerError && error.code === 'not_a_reranker');
  });
});
