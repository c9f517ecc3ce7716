/** The results panel before the first run. */
export function EmptyState({ onExample }: { onExample: () => void }) {
  return (
    <div class="empty-state">
      <h2>Rerank a candidate list</h2>
      <p>
        Paste a query and the documents a first-stage retriever returned (one per line, spreadsheet cells, or a dropped
        .txt/.jsonl/.csv file), then press <kbd>Ctrl</kbd>+<kbd>Enter</kbd>. The reranker reads each (query, document)
        pair and answers how likely the document is relevant.
      </p>
      <button type="button" class="primary" onClick={onExample}>Load an example</button>
    </div>
  );
}
