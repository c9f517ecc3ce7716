import { splitEvidenceSpans, type TextSpan } from '../index.js';
import { evidenceBeyondPrefixes, spansAfterPrefix } from '../kb/index.js';
import { throwIfAborted } from '../spec/errors.js';
import type { Reranker } from '../spec/types.js';
import { corpusDocumentText, type BeirDataset, type CorpusDocument } from './beir-dataset.js';
import { measureEvidenceOverlap, type EvidenceCase, type EvidenceOverlap, type Rationales } from './evidence-overlap.js';
import { orderLikeTrecEval, type ScoredDocument } from './metrics.js';

export interface EvidenceEvaluationOptions {
  /** Evidence spans asked for per document (`rerank(…, { evidence })`). */
  spans: number;
  rationales: Rationales;
  /** Where the rationales were read, for the report. */
  source: string;
}

export interface EvidenceEvaluation {
  spans: number;
  source: string;
  /** The reranker's N best spans of each relevant document with rationales in the reranked top k. */
  reranked: EvidenceOverlap;
  /** No-model baseline: the document's first N spans, so the reranked figure can be read. */
  firstSpans: EvidenceOverlap;
  /** Spans the reranker scored for these documents. */
  spansScored: number;
}

/**
 * For each query, the relevant documents (grade ≥ 1) with rationales among the reranked top `k` are reranked again
 * with `evidence` (their document scores come from the cache); their spans are moved from the text the reranker
 * read (`title\ntext`) to the corpus `text` the rationales index, the title's dropped (N are kept besides it).
 */
export async function evaluateEvidence(
  dataset: BeirDataset,
  run: ReadonlyMap<string, readonly ScoredDocument[]>,
  queryIds: readonly string[],
  context: { reranker: Reranker; k: number; instruction?: string; signal?: AbortSignal },
  options: EvidenceEvaluationOptions,
): Promise<EvidenceEvaluation> {
  const reranked: EvidenceCase[] = [];
  const firstSpans: EvidenceCase[] = [];
  let spansScored = 0;
  for (const queryId of queryIds) {
    throwIfAborted(context.signal);
    const withRationales = options.rationales.get(queryId);
    const judged = dataset.qrels.get(queryId);
    const documents = orderLikeTrecEval(run.get(queryId) ?? [])
      .slice(0, context.k)
      .flatMap(({ docId }) => {
        const doc = dataset.corpus.get(docId);
        const rationales = withRationales?.get(docId);
        return doc && rationales && (judged?.get(docId) ?? 0) >= 1 ? [{ doc, rationales }] : [];
      });
    if (documents.length === 0) continue;
    const texts = documents.map(({ doc }) => corpusDocumentText(doc));
    const response = await context.reranker.rerank(dataset.queries.get(queryId)!, texts, {
      evidence: evidenceBeyondPrefixes(options.spans, texts.map((documentText, index) => ({ documentText, prefixLength: titleLength(documents[index]!.doc) }))),
      ...(context.instruction === undefined ? {} : { instruction: context.instruction }),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    spansScored += response.usage.evidenceSpans ?? 0;
    for (const result of response.results) {
      const { doc, rationales } = documents[result.index]!;
      reranked.push({ rationales, spans: inCorpusText(doc, result.evidence ?? []).slice(0, options.spans) });
      firstSpans.push({ rationales, spans: inCorpusText(doc, splitEvidenceSpans(corpusDocumentText(doc))).slice(0, options.spans) });
    }
  }
  return { spans: options.spans, source: options.source, reranked: measureEvidenceOverlap(reranked), firstSpans: measureEvidenceOverlap(firstSpans), spansScored };
}

/** Characters before `doc.text` in `corpusDocumentText(doc)`: the title line. */
function titleLength(doc: CorpusDocument): number {
  return corpusDocumentText(doc).length - doc.text.length;
}

/** Spans of `corpusDocumentText(doc)` as spans of `doc.text`, which the rationales index. */
function inCorpusText(doc: CorpusDocument, spans: readonly TextSpan[]): TextSpan[] {
  return spansAfterPrefix(spans, titleLength(doc), doc.text);
}
