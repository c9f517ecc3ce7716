import { Type, type Static } from 'typebox';
import {
  InstructionField,
  MinScoreField,
  ModelField,
  PriorityField,
  TruncatePromptTokensField,
  UseActivationField,
  strict,
} from './common-schemas.js';

const TextOrTexts = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]);

/**
 * vLLM's `/score` (vllm-project/vllm vllm/entrypoints/pooling/score/protocol.py: `ScoreQueriesDocumentsRequest`
 * with `queries`/`documents`, `ScoreTextRequest` with `text_1`/`text_2`). Each side is a string or a list; pairs
 * are 1:1, 1:N (one query against every document) or N:N (zipped), as vLLM's `_validate_score_input_lens`.
 */
export const ScoreBody = Type.Object(
  {
    model: ModelField,
    queries: Type.Optional(TextOrTexts),
    documents: Type.Optional(TextOrTexts),
    text_1: Type.Optional(TextOrTexts),
    text_2: Type.Optional(TextOrTexts),
    truncate_prompt_tokens: TruncatePromptTokensField,
    use_activation: UseActivationField,
    priority: PriorityField,
    instruction: InstructionField,
    min_score: MinScoreField,
  },
  strict,
);
export type ScoreBody = Static<typeof ScoreBody>;

/** vLLM's `ScoreResponse` (same protocol.py; `usage` is its `UsageInfo`). */
export const ScoreResponse = Type.Object({
  id: Type.String(),
  object: Type.Literal('list'),
  created: Type.Integer(),
  model: Type.String(),
  data: Type.Array(Type.Object({ index: Type.Integer(), object: Type.Literal('score'), score: Type.Number() })),
  usage: Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer(), completion_tokens: Type.Integer() }),
});
export type ScoreResponse = Static<typeof ScoreResponse>;
