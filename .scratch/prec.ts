import { readFileSync } from 'node:fs';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
const cases = JSON.parse(readFileSync('../shared/fixtures/qwen3-tiny-reference/reference.json', 'utf8'));
const PREFIX = '<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n';
const SUFFIX = '<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n';
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 2 });
const model = await llama.loadModel({ modelPath: process.argv[2]! });
for (const cfg of [{ fa: false, kv: undefined }, { fa: true, kv: undefined }, { fa: false, kv: 'F32' }, { fa: true, kv: 'F32' }] as const) {
  const ctx = await model.createContext({ contextSize: 1024, flashAttention: cfg.fa, ...(cfg.kv ? { experimentalKvCacheKeyType: cfg.kv, experimentalKvCacheValueType: cfg.kv } : {}) });
  const seq = ctx.getSequence();
  let worst = 0;
  for (const c of cases.slice(0, 12)) {
    const body = `<Instruct>: ${c.instruction ?? 'Given a web search query, retrieve relevant passages that answer the query'}\n<Query>: ${c.query}\n<Document>: ${c.document}`;
    const toks = [...model.tokenize(PREFIX, true), ...model.tokenize(body, false), ...model.tokenize(SUFFIX, true)];
    await seq.clearHistory();
    const out = await seq.controlledEvaluate(toks.map((t, i) => i === toks.length - 1 ? [t, { generateNext: { logits: { filter: { tokens: [9693, 2152] as any } } } }] : t) as any);
    const l = out.at(-1)!.next.logits!;
    const s = 1 / (1 + Math.exp(-(l.get(9693 as any)! - l.get(2152 as any)!)));
    worst = Math.max(worst, Math.abs(s - c.expected.score));
  }
  console.log(cfg, 'worst', worst.toExponential(3));
  await ctx.dispose();
}
