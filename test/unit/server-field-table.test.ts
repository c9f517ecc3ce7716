// The field × route table of docs/http-api.md is generated here from the request schemas, so a field added to a
// schema without a line in the table (or a table that drifts from the schemas) fails. Also the served-name rule.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  BatchRerankBody,
  CohereRerankBody,
  DOCUMENTS_SHAPE_ONLY_FIELDS,
  RerankBody,
  TEI_SHAPE_ONLY_FIELDS,
} from '../../src/server/schemas/rerank-schemas.js';
import { ScoreBody } from '../../src/server/schemas/score-schemas.js';
import { defaultServedModelName, responseModelName, resolveServedModel, withoutLocalPaths } from '../../src/server/served-model.js';

/** The request shapes, each with its schema's fields minus those refused for that shape. */
const COLUMNS: Array<{ title: string; fields: readonly string[] }> = [
  { title: '`/v2/rerank`', fields: Object.keys(CohereRerankBody.properties) },
  { title: '`/v1/rerank`, `/rerank` (documents)', fields: Object.keys(RerankBody.properties).filter((f) => !(TEI_SHAPE_ONLY_FIELDS as readonly string[]).includes(f)) },
  { title: '`/rerank` (TEI texts)', fields: Object.keys(RerankBody.properties).filter((f) => !(DOCUMENTS_SHAPE_ONLY_FIELDS as readonly string[]).includes(f)) },
  { title: '`/score`, `/v1/score`', fields: Object.keys(ScoreBody.properties) },
  { title: '`/api/rerank`', fields: Object.keys(BatchRerankBody.properties) },
];

/** The texts themselves: every shape needs its own, so they are not options. */
const INPUT_FIELDS = new Set(['query', 'queries', 'documents', 'texts', 'text_1', 'text_2']);

/** What each option does where it is accepted (✓); where it is not, it is a 400 naming it. */
const WHAT_IT_DOES: Record<string, string> = {
  model: 'served name; with `--served-model-name`, another name is a 404',
  top_n: 'best N results; `0` or absent: all',
  min_score: 'drop results with a probability below it',
  instruction: 'task instruction the judge reads',
  max_tokens_per_doc: 'prompt token cap (truncates the document)',
  truncate_prompt_tokens: 'prompt token cap; `-1`/`null`: default',
  max_length: 'prompt token cap',
  long_documents: '`truncate` or `windows`',
  return_documents: 'add `document: {text}` (Cohere default false, Jina/vLLM true)',
  return_text: 'add `text`',
  raw_scores: 'logit instead of probability',
  use_activation: '`false`: logit instead of probability (with `raw_scores: true`, `true` is a 400)',
  truncate: '`true`/`null`: cut long documents; `false`: 422 when a prompt reaches the limit',
  truncation_direction: '`right` only; `left` is a 400',
  priority: '`0` only (first come, first served); another value is a 400',
  rank_fields: '`["text"]` only; another field is a 400',
  max_chunks_per_doc: 'documents are one chunk each (truncated, never split), within any value',
  evidence: "each returned result's best N sentences, scored (see Evidence)",
};

function fieldRouteTable(): string {
  const rows = [...new Set(COLUMNS.flatMap((c) => c.fields))].filter((f) => !INPUT_FIELDS.has(f));
  const lines = [
    `| field | ${COLUMNS.map((c) => c.title).join(' | ')} | what it does |`,
    `|---|${COLUMNS.map(() => '---').join('|')}|---|`,
    ...rows.map((field) => `| \`${field}\` | ${COLUMNS.map((c) => (c.fields.includes(field) ? '✓' : '400')).join(' | ')} | ${WHAT_IT_DOES[field]} |`),
  ];
  return lines.join('\n');
}

describe('field × route table', () => {
  it('every option of every request schema says what it does', () => {
    for (const column of COLUMNS) {
      for (const field of column.fields) {
        if (!INPUT_FIELDS.has(field)) assert.ok(WHAT_IT_DOES[field], `${field} (${column.title}) has no line in the table`);
      }
    }
  });

  it('docs/http-api.md holds the table generated from the schemas', () => {
    const docs = readFileSync(new URL('../../docs/http-api.md', import.meta.url), 'utf8');
    const table = fieldRouteTable();
    assert.ok(docs.includes(table), `docs/http-api.md must contain, verbatim:\n\n${table}\n`);
  });
});

describe('served model names', () => {
  it('default: a GGUF path becomes its file name without .gguf, an hf: URI its repo:QUANT, a remote name stays', () => {
    assert.equal(defaultServedModelName({ engine: 'onnx', model: '/srv/models/Qwen3-Reranker-0.6B.Q8_0.gguf' }), 'Qwen3-Reranker-0.6B.Q8_0');
    assert.equal(defaultServedModelName({ engine: 'llama-cpp', model: 'C:\\models\\m.GGUF' }), 'm');
    assert.equal(defaultServedModelName({ engine: 'llama-cpp', model: 'hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q8_0' }), 'Qwen3-Reranker-0.6B-GGUF:Q8_0');
    assert.equal(defaultServedModelName({ engine: 'onnx', model: 'hf:owner/repo/sub/file-Q4_0.gguf' }), 'file-Q4_0');
    assert.equal(defaultServedModelName({ engine: 'vllm', model: 'Qwen/Qwen3-Reranker-0.6B' }), 'Qwen/Qwen3-Reranker-0.6B');
  });

  it('given names are strict (404 not_found on model); derived ones accept any requested name', () => {
    const strict = resolveServedModel(['a', 'b', 'a'], { engine: 'onnx', model: '/m/x.gguf' });
    assert.deepEqual(strict.names, ['a', 'b']);
    assert.equal(responseModelName(strict, 'b'), 'b');
    assert.equal(responseModelName(strict, undefined), 'a');
    assert.throws(() => responseModelName(strict, 'c'), (error: { code: string; field: string }) => error.code === 'not_found' && error.field === 'model');
    const open = resolveServedModel(undefined, { engine: 'onnx', model: '/m/x.gguf' });
    assert.equal(responseModelName(open, 'rerank-v3.5'), 'x');
  });

  it('a load failure answered to clients names files without their directories, and leaves URLs alone', () => {
    assert.equal(withoutLocalPaths('/srv/models/x.gguf is not a GGUF file'), 'x.gguf is not a GGUF file');
    assert.equal(withoutLocalPaths('cannot open "C:\\models\\q\\m.gguf": denied'), 'cannot open "m.gguf": denied');
    assert.equal(withoutLocalPaths('endpoint http://10.0.0.1:8000/v1/rerank failed'), 'endpoint http://10.0.0.1:8000/v1/rerank failed');
    assert.equal(withoutLocalPaths('./models/m.gguf is missing'), './models/m.gguf is missing');
  });
});
