// A whole process that reranks with node-llama-cpp's LlamaRankingContext.rankAll, as its documentation shows it
// (getLlama, loadModel, createRankingContext with its defaults, rankAll): the baseline the engine bench times
// `qwen-ranker rerank` against. Usage: node bench/rankall-process.mjs <model.gguf> <query> <documents.jsonl> <threads>
import { readFileSync } from 'node:fs';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const [modelPath, query, documentsPath, threads] = process.argv.slice(2);
const documents = readFileSync(documentsPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line).text);
const llama = await getLlama({ build: 'never', logLevel: LlamaLogLevel.error, maxThreads: Number(threads) });
const model = await llama.loadModel({ modelPath });
const context = await model.createRankingContext({ threads: Number(threads) });
const scores = await context.rankAll(query, documents);
process.stdout.write(`${JSON.stringify(scores)}\n`);
