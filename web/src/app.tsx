/** The workbench page: control panel on the left, the result views on the right. State lives in the `use*` hooks. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiKeyDialog } from './components/api-key-dialog.js';
import { ControlPanel } from './components/control-panel.js';
import { EmptyState } from './components/empty-state.js';
import { ErrorBanner } from './components/error-banner.js';
import { ResultViews, type View } from './components/result-views.js';
import { RunBar } from './components/run-bar.js';
import { StatusCard } from './components/status-card.js';
import { EXAMPLE_DOCUMENTS, EXAMPLE_QUERY, EXAMPLE_QUERY_B } from './example-data.js';
import { useApiClient } from './use-api-client.js';
import { useRerankRun } from './use-rerank-run.js';
import { useRunShortcut } from './use-run-shortcut.js';
import { useServerStatus } from './use-server-status.js';
import { useWorkbenchForm } from './use-workbench-form.js';

export function App() {
  const { client, keyRequest } = useApiClient();
  const status = useServerStatus(client);
  const [form, update] = useWorkbenchForm();
  const [view, setView] = useState<View>('cards');
  const runs = useRerankRun(client);
  const resultsPanel = useRef<HTMLElement>(null);
  const run = (): void => void runs.run(form);
  useRunShortcut(run);

  // On a narrow window the results are below the controls: bring new results into view (same breakpoint as styles.css).
  useEffect(() => {
    if (runs.result && window.matchMedia('(max-width: 899px)').matches) resultsPanel.current?.scrollIntoView({ block: 'start' });
  }, [runs.result]);

  const loadExample = (): void => update({ query: EXAMPLE_QUERY, queryB: EXAMPLE_QUERY_B, documentsText: EXAMPLE_DOCUMENTS.join('\n') });

  return (
    <div class="app">
      <header class="topbar">
        <h1>qwen-ranker <span class="muted">workbench</span></h1>
        <nav>
          <button type="button" class="link-button" onClick={loadExample}>Load example</button>
          <a href="docs" target="_blank" rel="noreferrer">API docs</a>
        </nav>
      </header>
      <div class="layout">
        <aside class="controls" aria-label="Controls">
          <StatusCard status={status} />
          <ControlPanel form={form} onChange={update} onImportError={(message) => runs.setError(new Error(message))}>
            <RunBar progress={runs.progress} comparing={form.compare !== 'off'} onRun={run} onCancel={runs.cancel} />
          </ControlPanel>
        </aside>
        <main class="results" ref={resultsPanel} aria-label="Results" data-finished-runs={runs.finishedRuns}>
          {runs.error && <ErrorBanner error={runs.error} onDismiss={() => runs.setError(null)} />}
          {runs.notice && <div class="notice" role="status">{runs.notice}</div>}
          {runs.result ? <ResultViews result={runs.result} form={form} view={view} onView={setView} /> : <EmptyState onExample={loadExample} />}
        </main>
      </div>
      {keyRequest && <ApiKeyDialog message={keyRequest.message} onSubmit={keyRequest.answer} />}
    </div>
  );
}
