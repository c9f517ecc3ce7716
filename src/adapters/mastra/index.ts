/**
 * qwen-ranker as a Mastra `RelevanceScoreProvider` (`@mastra/core/relevance`, used by `rerankWithScorer` of
 * `@mastra/rag`). Mastra asks for one (query, text) score per result, all in parallel
 * (mastra-ai/mastra packages/rag/src/rerank/index.ts `executeRerank`); the calls made in one turn of the event loop
 * are scored together in one `reranker.score()` batch.
 */
import type { RelevanceScoreProvider } from '@mastra/core/relevance';
import type { Reranker, ScorePair, ScoringOptions } from '../../index.js';

export interface QwenRankerScoreProviderOptions extends Omit<ScoringOptions, 'signal' | 'onProgress'> {
  /** The reranker that scores (local or remote, from `createReranker`). */
  reranker: Reranker;
}

interface PendingScore {
  pair: ScorePair;
  resolve(score: number): void;
  reject(error: unknown): void;
}

/** `getRelevanceScore(query, text)` resolves to the relevance probability of `text` for `query`. */
export class QwenRankerScoreProvider implements RelevanceScoreProvider {
  private readonly reranker: Reranker;
  private readonly options: ScoringOptions;
  private pending: PendingScore[] = [];

  constructor({ reranker, ...options }: QwenRankerScoreProviderOptions) {
    this.reranker = reranker;
    this.options = options;
  }

  getRelevanceScore(query: string, text: string): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ pair: { query, document: text }, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.reranker.score(batch.map((p) => p.pair), this.options).then(
      (scores) => batch.forEach((p, i) => p.resolve(scores[i]!.score)),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }
}
