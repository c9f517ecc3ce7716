import { InvalidInputError, splitEvidenceSpans } from '../../index.js';
import type { SearchHit, SearchOptions, SearchResult } from '../search-types.js';
import { buildAnswerMessages, buildRewriteMessages, parseRewrittenQuery, type AnswerSource } from './build-prompt.js';
import { evidenceContextText } from './evidence-context.js';
import { streamChatCompletion, type ChatEndpointOptions, type ChatMessage } from './openai-chat-client.js';

/** What the LLM reads of each result: the whole chunk, or its evidence sentences with their neighbours. */
export type AskContext = 'chunks' | 'evidence';

/** Evidence spans per result in `context: 'evidence'` when `evidence` is not given. */
export const DEFAULT_ASK_EVIDENCE = 3;

export interface AskOptions extends SearchOptions {
  /** `'evidence'`: each source is its best `evidence` spans (default `DEFAULT_ASK_EVIDENCE`), each with one
   * neighbouring sentence on each side, in document order (needs the reranker). Default: `'chunks'`. */
  context?: AskContext;
  /** OpenAI-compatible chat endpoint that writes the answer. Default: none (the prompt is built, not sent). */
  llm?: ChatEndpointOptions;
  /** Let the LLM rewrite the question into a search query first (needs `llm`). Default: false. */
  rewrite?: boolean;
  /** Receives the answer text as it streams. */
  onText?: (text: string) => void;
}

export interface AskResult {
  question: string;
  /** What was searched: the question, or the LLM's rewrite of it. */
  query: string;
  search: SearchResult;
  /** The chunks in the prompt (their evidence excerpts with `context: 'evidence'`), numbered as cited. */
  sources: AnswerSource[];
  /** The chat messages for the LLM (also when no LLM was called). */
  messages: ChatMessage[];
  /** True when no chunk passed `minScore`: the LLM was not asked. */
  nothingRelevant: boolean;
  /** The LLM's answer (absent without `llm`, or when nothing relevant was found). */
  answer?: string;
}

/** `ask` keeps a relevance floor by default: asking an LLM about unrelated chunks invites invented answers. */
export const DEFAULT_ASK_MIN_SCORE = 0.3;

/**
 * Retrieve → rerank → build a cited context → (optionally) stream the LLM's answer. Without a reranker every
 * first-stage hit counts as relevant, since BM25 scores have no absolute scale to threshold.
 */
export async function askKnowledgeBase(
  search: (query: string, options?: SearchOptions) => Promise<SearchResult>,
  question: string,
  options: AskOptions = {},
): Promise<AskResult> {
  const { llm, rewrite, onText, context = 'chunks', ...searchOptions } = options;
  if (context === 'evidence' && searchOptions.rerank === false) throw new InvalidInputError('context', 'the evidence context needs the reranker: it scores the sentences');
  if (context === 'evidence') searchOptions.evidence ??= DEFAULT_ASK_EVIDENCE;
  let query = question;
  if (rewrite && llm) {
    const signal = options.signal ? { signal: options.signal } : {};
    query = parseRewrittenQuery(await streamChatCompletion({ ...llm, temperature: 0 }, buildRewriteMessages(question), signal), question);
  }
  const result = await search(query, { minScore: DEFAULT_ASK_MIN_SCORE, ...searchOptions });
  const sources: AnswerSource[] = result.results.map((hit, index) => ({
    number: index + 1,
    path: hit.chunk.path,
    text: context === 'evidence' ? evidenceText(hit) : hit.chunk.text,
    ...(hit.chunk.page === undefined ? {} : { page: hit.chunk.page }),
    ...(hit.chunk.heading === undefined ? {} : { heading: hit.chunk.heading }),
    ...(hit.score === undefined ? {} : { score: hit.score }),
  }));
  const messages = buildAnswerMessages(question, sources);
  const base: AskResult = { question, query, search: result, sources, messages, nothingRelevant: sources.length === 0 };
  if (!llm || sources.length === 0) return base;
  const answer = await streamChatCompletion(llm, messages, { ...(options.signal ? { signal: options.signal } : {}), ...(onText ? { onText } : {}) });
  return { ...base, answer };
}

function evidenceText(hit: SearchHit): string {
  return evidenceContextText(hit.chunk.text, hit.evidence ?? [], splitEvidenceSpans(hit.chunk.text));
}
