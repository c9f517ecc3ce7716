import { Type } from 'typebox';

/** vLLM's `ModelCard` (vllm/entrypoints/openai/protocol.py): OpenAI's model object plus `root`, `parent` and
 * `max_model_len`. `root` is the served name here, never a file path. */
export const ModelCard = Type.Object({
  id: Type.String({ description: 'A served model name' }),
  object: Type.Literal('model'),
  created: Type.Integer({ description: 'Unix seconds when the server started' }),
  owned_by: Type.String(),
  root: Type.String({ description: 'The primary served name' }),
  parent: Type.Null(),
  max_model_len: Type.Integer({ description: 'Largest prompt in tokens the engine accepts' }),
});

/** vLLM's `ModelList` / OpenAI's `GET /v1/models` (https://platform.openai.com/docs/api-reference/models/list). */
export const ModelList = Type.Object({ object: Type.Literal('list'), data: Type.Array(ModelCard) });

/** TEI's `Info` (huggingface/text-embeddings-inference router/src/http/types.rs and router/src/lib.rs `Info`), the
 * fields that apply to this server; `model_sha`, `sha` and `docker_label` are null. */
export const TeiInfo = Type.Object({
  model_id: Type.String({ description: 'The served model name' }),
  model_sha: Type.Null(),
  model_dtype: Type.String({ description: "The GGUF's weight type (q8_0, float16, …), or unknown for a remote engine" }),
  model_type: Type.Object({
    reranker: Type.Object({ id2label: Type.Record(Type.String(), Type.String()), label2id: Type.Record(Type.String(), Type.Integer()) }),
  }),
  max_concurrent_requests: Type.Integer({ description: 'maxConcurrentRequests' }),
  max_input_length: Type.Integer({ description: 'Prompt token limit of a request that sets none (truncation cuts there)' }),
  max_batch_tokens: Type.Integer({ description: 'maxTokensPerRequest (estimated)' }),
  max_batch_requests: Type.Null(),
  max_client_batch_size: Type.Integer({ description: 'maxDocumentsPerRequest' }),
  auto_truncate: Type.Boolean({ description: 'true: long documents are cut to the prompt limit unless truncate is false' }),
  tokenization_workers: Type.Integer(),
  version: Type.String(),
  sha: Type.Null(),
  docker_label: Type.Null(),
});
