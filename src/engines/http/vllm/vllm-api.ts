import Type from 'typebox';

/**
 * vLLM's Score API, `POST /score` (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html#score-api;
 * request and response models in `vllm/entrypoints/pooling/score/protocol.py`, `ScoreTextRequest` and
 * `ScoreResponse`). One `text_1` against a list of `text_2` scores each pair (1:N form).
 */
export interface VllmApiScoreRequest {
  /** `--served-model-name`; vLLM uses its only model when omitted. */
  model?: string;
  text_1: string;
  text_2: string[];
  /** Keep only the last k prompt tokens ("left truncation", `vllm/pooling_params.py`). */
  truncate_prompt_tokens: number;
}

/** `data[].score` is the classifier output after its activation: sigmoid(logit_yes − logit_no) for Qwen3-Reranker
 * loaded with `"method": "from_2_way_softmax"` (`vllm/model_executor/models/config.py`). `usage` is `{}` in some
 * versions (see the documented example), so its fields are optional. */
export const VllmApiScoreResponse = Type.Object({
  data: Type.Array(Type.Object({ index: Type.Integer(), score: Type.Number() })),
  usage: Type.Optional(Type.Object({ prompt_tokens: Type.Optional(Type.Integer({ minimum: 0 })) })),
});
