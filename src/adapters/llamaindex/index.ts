/**
 * qwen-ranker as a LlamaIndex node postprocessor: `index.asQueryEngine({ nodePostprocessors: [...] })` or
 * `asRetriever` results. Interface: `BaseNodePostprocessor` in run-llama/LlamaIndexTS
 * packages/core/src/postprocessor/type.ts.
 */
import type { BaseNodePostprocessor } from '@llamaindex/core/postprocessor';
import type { MessageContent } from '@llamaindex/core/llms';
import type { MetadataMode, NodeWithScore } from '@llamaindex/core/schema';
import { InvalidInputError, type Reranker, type RerankOptions } from '../../index.js';

/** `MetadataMode.NONE` (packages/core/src/schema/node.ts), spelled out so that importing `qwen-ranker/llamaindex`
 * loads nothing of LlamaIndex's. */
const METADATA_NONE = 'NONE' as MetadataMode.NONE;

export interface QwenRankerPostprocessorOptions extends Omit<RerankOptions, 'signal' | 'onProgress'> {
  /** The reranker that scores (local or remote, from `createReranker`). */
  reranker: Reranker;
}

/**
 * Rescores the retrieved nodes by their text (`MetadataMode.NONE`: the judge reads the passage, not the metadata
 * keys that `MetadataMode.ALL` would prepend) and returns `{ node, score }` best first; `topN` and `minScore` cut
 * the list.
 */
export class QwenRankerPostprocessor implements BaseNodePostprocessor {
  private readonly reranker: Reranker;
  private readonly options: RerankOptions;

  constructor({ reranker, ...options }: QwenRankerPostprocessorOptions) {
    this.reranker = reranker;
    this.options = options;
  }

  async postprocessNodes(nodes: NodeWithScore[], query?: MessageContent): Promise<NodeWithScore[]> {
    if (typeof query !== 'string') throw new InvalidInputError('query', 'QwenRankerPostprocessor needs a text query to rerank nodes');
    const { results } = await this.reranker.rerank(
      query,
      nodes.map(({ node }) => node.getContent(METADATA_NONE)),
      this.options,
    );
    return results.map(({ index, score }) => ({ node: nodes[index]!.node, score }));
  }
}
