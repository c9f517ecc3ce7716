import { Type, type Static } from 'typebox';
import { ModelField, strict } from './common-schemas.js';

const TokenIds = Type.Array(Type.Integer({ minimum: 0 }), { description: 'Token ids' });

/**
 * `POST /tokenize` in three peers' shapes, told apart by the text field:
 * - vLLM `prompt` (vllm/entrypoints/openai/protocol.py `TokenizeCompletionRequest`: `add_special_tokens`, `return_token_strs`);
 * - llama-server `content` (ggml-org/llama.cpp tools/server/README.md "POST /tokenize": `add_special`, `parse_special`, `with_pieces`);
 * - TEI `inputs` (huggingface/text-embeddings-inference router/src/http/types.rs `TokenizeRequest`: `add_special_tokens`).
 */
export const TokenizeBody = Type.Object(
  {
    model: ModelField,
    prompt: Type.Optional(Type.String({ description: 'vLLM: the text; answer {count, max_model_len, tokens, token_strs?}' })),
    content: Type.Optional(Type.String({ description: 'llama-server: the text; answer {tokens}' })),
    inputs: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], { description: 'TEI: a text or texts; answer [[{id, text, special, start, stop}]]' }),
    ),
    add_special_tokens: Type.Optional(
      Type.Boolean({ description: 'vLLM, TEI: add the model\'s special tokens. Qwen3 adds none (no BOS/EOS), so both values give the same tokens. Default: true' }),
    ),
    add_special: Type.Optional(Type.Boolean({ description: 'llama-server: as add_special_tokens (Qwen3 adds none). Default: false' })),
    parse_special: Type.Optional(
      Type.Boolean({ description: 'llama-server: only false. Control-token strings in user text stay plain text, as in rerank prompts; true is a 400' }),
    ),
    with_pieces: Type.Optional(Type.Boolean({ description: 'llama-server: answer [{id, piece}] (piece as bytes when not valid UTF-8). Default: false' })),
    return_token_strs: Type.Optional(Type.Boolean({ description: 'vLLM: add token_strs (the vocabulary\'s spelling). Default: false' })),
  },
  strict,
);
export type TokenizeBody = Static<typeof TokenizeBody>;

export const VllmTokenizeResponse = Type.Object({
  count: Type.Integer(),
  max_model_len: Type.Integer(),
  tokens: TokenIds,
  token_strs: Type.Optional(Type.Array(Type.String())),
});

export const LlamaTokenizeResponse = Type.Object({
  tokens: Type.Union([
    TokenIds,
    Type.Array(Type.Object({ id: Type.Integer(), piece: Type.Union([Type.String(), Type.Array(Type.Integer())]) })),
  ]),
});

export const TeiTokenizeResponse = Type.Array(
  Type.Array(
    Type.Object({
      id: Type.Integer(),
      text: Type.String(),
      special: Type.Boolean(),
      start: Type.Union([Type.Integer(), Type.Null()], { description: 'Byte offset in the input' }),
      stop: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
);

/** `POST /detokenize`: vLLM's `DetokenizeRequest` and llama-server's share `{tokens}`; the answer carries both
 * peers' fields, vLLM's `prompt` and llama-server's `content` (the same text). */
export const DetokenizeBody = Type.Object({ model: ModelField, tokens: TokenIds }, strict);
export type DetokenizeBody = Static<typeof DetokenizeBody>;
export const DetokenizeResponse = Type.Object({ prompt: Type.String({ description: 'vLLM' }), content: Type.String({ description: 'llama-server' }) });

/** TEI's `POST /decode` (router/src/http/types.rs `DecodeRequest`): `ids` (one list or a batch) → one text per list. */
export const DecodeBody = Type.Object(
  {
    ids: Type.Union([TokenIds, Type.Array(TokenIds, { minItems: 1 })]),
    skip_special_tokens: Type.Optional(Type.Boolean({ description: 'Leave control tokens out. Default: true' })),
  },
  strict,
);
export type DecodeBody = Static<typeof DecodeBody>;
export const DecodeResponse = Type.Array(Type.String());
