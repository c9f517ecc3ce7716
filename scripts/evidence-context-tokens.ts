// Measures what `kb ask --context evidence` saves: the Qwen3 tokens of the messages an LLM would read per question,
// with whole chunks and with evidence sentences (N = 3 and N = 1), on SciFact and CMRC 2018 ingested as knowledge
// bases. No LLM is needed to count them. The reranker picks the top 5 and the evidence sentences; the tiny
// random-weight model (the default) is enough to count tokens, since which sentences win changes the count little,
// but real weights pick the right ones.
// Usage: tsx scripts/evidence-context-tokens.ts [--queries 50] [--top-n 5] [--model FILE]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createReranker, type Reranker } from '../src/index.js';
import { createKnowledgeBase, loadQwen3TokenCounter, type AskOptions } from '../src/kb/index.js';
import { ensureTestModel } from '../test/helpers/test-models.js';

const data = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const DATASETS = [
  { name: 'SciFact', dir: join(data, 'scifact') },
  { name: 'CMRC 2018', dir: join(data, 'cmrc2018-retrieval') },
];
const MODES: Array<{ label: string; options: AskOptions }> = [
  { label: 'chunks', options: { context: 'chunks' } },
  { label: 'evidence N=3', options: { context: 'evidence', evidence: 3 } },
  { label: 'evidence N=1', options: { context: 'evidence', evidence: 1 } },
];

async function measure(dataset: (typeof DATASETS)[number], reranker: Reranker, queries: number, topN: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'qr-evidence-tokens-'));
  const kb = await createKnowledgeBase({ path: join(dir, 'kb.sqlite'), create: true, reranker });
  try {
    await kb.ingest([join(dataset.dir, 'corpus.jsonl')]);
    const questions = readFileSync(join(dataset.dir, 'queries.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, queries)
      .map((line) => (JSON.parse(line) as { text: string }).text);
    const counter = await loadQwen3TokenCounter();
    const totals = MODES.map(() => 0);
    for (const question of questions) {
      for (const [index, mode] of MODES.entries()) {
        // minScore 0: every question sends its top N (the floor would depend on the random weights).
        const { messages } = await kb.ask(question, { topN, minScore: 0, ...mode.options });
        totals[index]! += messages.reduce((sum, message) => sum + counter.count(message.content.normalize('NFC')), 0);
      }
    }
    return totals.map((total) => total / questions.length);
  } finally {
    await kb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { queries: { type: 'string', default: '50' }, 'top-n': { type: 'string', default: '5' }, model: { type: 'string' } }, strict: true });
  const queries = Number(values.queries);
  const topN = Number(values['top-n']);
  const reranker = await createReranker({ model: values.model ?? (await ensureTestModel('tiny')) });
  try {
    const header = `| knowledge base | ${MODES.map((mode) => mode.label).join(' | ')} |`;
    const lines = [header, `|---|${MODES.map(() => '---:').join('|')}|`];
    for (const dataset of DATASETS) {
      const means = await measure(dataset, reranker, queries, topN);
      const cells = means.map((mean, index) => {
        const change = index === 0 ? '' : ` (${(((mean - means[0]!) / means[0]!) * 100).toFixed(0)}%)`;
        return `${Math.round(mean).toLocaleString('en-US')}${change}`;
      });
      lines.push(`| ${dataset.name} | ${cells.join(' | ')} |`);
    }
    process.stdout.write(`Context tokens per question (Qwen3 tokens of the messages; first ${queries} queries, top ${topN}, ${basename(reranker.info.model)}):\n\n${lines.join('\n')}\n`);
  } finally {
    await reranker.close();
  }
}

await main();
