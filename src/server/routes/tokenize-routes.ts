import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { estimateTextTokens, InvalidInputError, LimitExceededError, type ModelTokenizer } from '../../index.js';
import { errorResponses } from '../schemas/common-schemas.js';
import {
  DecodeBody,
  DecodeResponse,
  DetokenizeBody,
  DetokenizeResponse,
  LlamaTokenizeResponse,
  TeiTokenizeResponse,
  TokenizeBody,
  VllmTokenizeResponse,
} from '../schemas/tokenize-schemas.js';
import { responseModelName } from '../served-model.js';
import type { ResolvedServerLimits } from '../server-limits.js';
import type { RouteContext } from './route-context.js';

/** Each text field and the options that belong to its peer's shape (`model` belongs to all). */
const SHAPES = {
  prompt: ['add_special_tokens', 'return_token_strs'],
  content: ['add_special', 'parse_special', 'with_pieces'],
  inputs: ['add_special_tokens'],
} as const satisfies Record<string, readonly (keyof TokenizeBody)[]>;
type Shape = keyof typeof SHAPES;

const errors = { ...errorResponses, 501: errorResponses[503] };

/**
 * `POST /tokenize`, `POST /detokenize` (vLLM and llama-server shapes) and `POST /decode` (TEI): the reranker's own
 * tokenizer, user text tokenized as a rerank prompt's body is (control-token strings stay plain text). They run
 * under admission like the scoring routes and obey the same request limits.
 */
export const tokenizeRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, { service, limits, servedModel, tokenizer }) => {
  app.post(
    '/tokenize',
    {
      schema: {
        summary: 'Tokenize (vLLM "prompt", llama-server "content" or TEI "inputs" shape)',
        tags: ['tokenize'],
        body: TokenizeBody,
        response: { 200: Type.Union([VllmTokenizeResponse, LlamaTokenizeResponse, TeiTokenizeResponse]), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      responseModelName(servedModel(), body.model);
      const shape = shapeOf(body);
      if (body.parse_special === true) {
        throw new InvalidInputError('parse_special', 'control-token strings in user text are never parsed (see "Control tokens in user text" in the README); send parse_special: false or leave it out');
      }
      const texts = shape === 'inputs' ? (typeof body.inputs === 'string' ? [body.inputs] : body.inputs!) : [(shape === 'prompt' ? body.prompt : body.content)!];
      checkTexts(limits, texts, shape);
      const model = await tokenizer();
      const tokenLists = await service.run(reply, () => Promise.all(texts.map((text) => model.tokenize(text))));
      const tokens = tokenLists[0]!;
      if (shape === 'prompt') {
        // vLLM `TokenizeResponse` (tests/entrypoints/openai/test_tokenization.py reads count, max_model_len, tokens).
        return {
          count: tokens.length,
          max_model_len: service.reranker().info.maxContextTokens,
          tokens,
          ...(body.return_token_strs ? { token_strs: tokens.map((t) => model.tokenString(t)) } : {}),
        };
      }
      if (shape === 'content') {
        // llama-server: ids, or {id, piece} with the piece as a string when valid UTF-8, else its bytes.
        return { tokens: body.with_pieces ? tokens.map((id) => ({ id, piece: pieceJson(model.pieceBytes(id)) })) : tokens };
      }
      return tokenLists.map((list) => teiTokens(model, list));
    },
  );

  app.post(
    '/detokenize',
    {
      schema: {
        summary: 'Detokenize (vLLM and llama-server: {tokens} → {prompt, content})',
        tags: ['tokenize'],
        body: DetokenizeBody,
        response: { 200: DetokenizeResponse, ...errors },
      },
    },
    async (request) => {
      responseModelName(servedModel(), request.body.model);
      const model = await tokenizer();
      checkIds(limits, model, request.body.tokens, 'tokens');
      const text = model.detokenize(request.body.tokens);
      return { prompt: text, content: text };
    },
  );

  app.post(
    '/decode',
    { schema: { summary: "Decode token ids (TEI's /decode)", tags: ['tokenize'], body: DecodeBody, response: { 200: DecodeResponse, ...errors } } },
    async (request) => {
      const { ids, skip_special_tokens: skipSpecial = true } = request.body;
      const lists = ids.length > 0 && Array.isArray(ids[0]) ? (ids as number[][]) : [ids as number[]];
      const model = await tokenizer();
      checkIds(limits, model, lists.flat(), 'ids');
      return lists.map((list) => model.detokenize(skipSpecial ? list.filter((id) => !model.isControl(id)) : list));
    },
  );
};

/** The one text field sent, refusing another shape's options beside it. */
function shapeOf(body: TokenizeBody): Shape {
  const sent = (Object.keys(SHAPES) as Shape[]).filter((field) => body[field] !== undefined);
  if (sent.length !== 1) {
    throw new InvalidInputError(sent[1] ?? 'prompt', 'send exactly one of "prompt" (vLLM), "content" (llama-server) or "inputs" (TEI)');
  }
  const shape = sent[0]!;
  for (const [other, options] of Object.entries(SHAPES)) {
    for (const option of options) {
      if (other !== shape && body[option] !== undefined && !(SHAPES[shape] as readonly string[]).includes(option)) {
        throw new InvalidInputError(option, `${option} belongs to the "${other}" shape of /tokenize; this body has "${shape}"`);
      }
    }
  }
  return shape;
}

/** The rerank routes' limits: texts ≤ the documents limit, estimated tokens ≤ the tokens limit. */
function checkTexts(limits: ResolvedServerLimits, texts: readonly string[], field: string): void {
  if (texts.length > limits.maxDocumentsPerRequest) {
    throw new LimitExceededError(field, 'maxDocumentsPerRequest', limits.maxDocumentsPerRequest, `${texts.length} texts in one request; the server accepts at most ${limits.maxDocumentsPerRequest}`);
  }
  const tokens = texts.reduce((sum, text) => sum + estimateTextTokens(text), 0);
  if (tokens > limits.maxTokensPerRequest) {
    throw new LimitExceededError(field, 'maxTokensPerRequest', limits.maxTokensPerRequest, `about ${tokens} tokens in one request; the server accepts at most ${limits.maxTokensPerRequest}`);
  }
}

function checkIds(limits: ResolvedServerLimits, model: ModelTokenizer, ids: readonly number[], field: string): void {
  if (ids.length > limits.maxTokensPerRequest) {
    throw new LimitExceededError(field, 'maxTokensPerRequest', limits.maxTokensPerRequest, `${ids.length} tokens in one request; the server accepts at most ${limits.maxTokensPerRequest}`);
  }
  const bad = ids.findIndex((id) => id >= model.vocabularySize);
  if (bad !== -1) throw new InvalidInputError(`${field}[${bad}]`, `token id ${ids[bad]} is not in the vocabulary (0 to ${model.vocabularySize - 1})`);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** A llama-server `with_pieces` piece (ggml-org/llama.cpp tools/server/README.md "POST /tokenize"): the text when it
 * is valid UTF-8, else its bytes. */
function pieceJson(bytes: Uint8Array): string | number[] {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return [...bytes];
  }
}

/** TEI `SimpleToken`s: the piece's text and its byte span in the input (pieces of byte-level BPE concatenate to it). */
function teiTokens(model: ModelTokenizer, tokens: readonly number[]) {
  let offset = 0;
  return tokens.map((id) => {
    const bytes = model.pieceBytes(id);
    const start = offset;
    offset += bytes.length;
    return { id, text: lenientUtf8.decode(bytes), special: model.isControl(id), start, stop: offset };
  });
}
