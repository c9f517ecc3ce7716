import { basename } from 'node:path';
import type { ChatMessage } from './openai-chat-client.js';

/** A chunk handed to the LLM, cited by its number. */
export interface AnswerSource {
  /** 1-based citation number: `[1]`. */
  number: number;
  path: string;
  page?: number;
  heading?: string;
  text: string;
  /** Reranker relevance probability (absent without a reranker). */
  score?: number;
}

const ANSWER_SYSTEM_PROMPT = [
  'You answer questions using only the numbered sources provided.',
  'Cite the sources you use with their numbers in square brackets, like [1] or [2][3].',
  'If the sources do not contain the answer, say that you do not know.',
].join(' ');

const REWRITE_SYSTEM_PROMPT = [
  "Rewrite the user's question as a short search query for a document search engine.",
  'Keep names, numbers and technical terms, drop filler words, and spell out colloquial phrasing.',
  'Reply with the query only, on one line, in the language of the question.',
].join(' ');

/** `guide.pdf, page 3 — Install > Linux`. The prompt names the file, not its full path (private to this machine). */
export function sourceLabel(source: Pick<AnswerSource, 'path' | 'page' | 'heading'>, name = basename(source.path)): string {
  const page = source.page === undefined ? '' : `, page ${source.page}`;
  const heading = source.heading ? ` — ${source.heading}` : '';
  return `${name}${page}${heading}`;
}

/** The context block: every source as `[n] label` followed by its text. */
export function buildContextBlock(sources: readonly AnswerSource[]): string {
  return sources.map((source) => `[${source.number}] ${sourceLabel(source)}\n${source.text}`).join('\n\n');
}

/** System and user messages asking the LLM to answer `question` from `sources` with citations. */
export function buildAnswerMessages(question: string, sources: readonly AnswerSource[]): ChatMessage[] {
  return [
    { role: 'system', content: ANSWER_SYSTEM_PROMPT },
    { role: 'user', content: `Sources:\n\n${buildContextBlock(sources)}\n\nQuestion: ${question}` },
  ];
}

/** Messages asking the LLM to turn a terse or colloquial question into a search query. */
export function buildRewriteMessages(question: string): ChatMessage[] {
  return [
    { role: 'system', content: REWRITE_SYSTEM_PROMPT },
    { role: 'user', content: question },
  ];
}

/** The query in a rewrite answer: its first non-empty line without surrounding quotes; the question if empty. */
export function parseRewrittenQuery(answer: string, question: string): string {
  const line = answer.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  const query = line.replace(/^(?:query:\s*)/i, '').replace(/^["'“”]+|["'“”]+$/g, '').trim();
  return query || question;
}
