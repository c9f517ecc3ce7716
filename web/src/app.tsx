/** The workbench page: control panel on the left, the result views on the right. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApiClient } from './api-client.js';
import { ApiKeyDialog } from './components/api-key-dialog.js';
import { CompareView } from './components/compare-view.js';
import { ControlPanel, type WorkbenchForm } from './components/control-panel.js';
import { DataTable } from './components/data-table.js';
import { ErrorBanner } from './components/error-banner.js';
import { RankedCards } from './components/ranked-cards.js';
import { ScoreChart } from './components/score-chart.js';
import { StatusCard, formatDuration, shortModelName } from './components/status-card.js';
import { EXAMPLE_DOCUMENTS, EXAMPLE_QUERY, EXAMPLE_QUERY_B } from './example-data.js';
import { queryTerms } from './highlight.js';
import { INSTRUCTION_PRESETS } from './instruction-presets.js';
import { DEFAULT_INSTRUCTION } from '../../src/spec/types.js';
import { documentsFromText } from './parse-documents.js';
import { compareRuns, rankDocuments } from './ranking.js';
import { runRerank, type RerankJob, type RerankOutcome } from './run-rerank.js';
import { useServerStatus } from './use-server-status.js';

type View = 'cards' | 'table' | 'chart';

interface LabelledRun {
  label: string;
  query: string;
  outcome: RerankOutcome;
}

type RunResult = { mode: 'single'; run: LabelledRun } | { mode: 'compare'; a: LabelledRun; b: LabelledRun };

const FORM_STORAGE_KEY = 'qwen-ranker.workbench-form';
const DEFAULT_FORM: WorkbenchForm = {
  query: '',
  instruction: DEFAULT_INSTRUCTION,
  documentsText: '',
  topN: 0,
  minScore: 0.5,
  maxLength: 0,
  longDocuments: 'truncate',
  compare: 'off',
  queryB: '',
  instructionB: (INSTRUCTION_PRESETS[1] as { instruction: string }).instruction,
};

export function App() {
  const [keyRequest, setKeyRequest] = useState<{ message: string; resolve: (key: string | null) => void } | null>(null);
  const client = useMemo(
    () => createApiClient({ askForApiKey: (message) => new Promise((resolve) => setKeyRequest({ message, resolve })) }),
    [],
  );
  const status = useServerStatus(client);
  const [form, setForm] = useState<WorkbenchForm>(loadForm);
  const [view, setView] = useState<View>('cards');
  const [result, setResult] = useState<RunResult | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Finished runs (results, error or cancel): lets scripts and tests wait for a run to end.
  const [finishedRuns, setFinishedRuns] = useState(0);
  const running = useRef<AbortController | null>(null);
  const resultsPanel = useRef<HTMLElement>(null);

  useEffect(() => localStorage.setItem(FORM_STORAGE_KEY, JSON.stringify(form)), [form]);

  const update = (patch: Partial<WorkbenchForm>): void => setForm((current) => ({ ...current, ...patch }));

  async function run(): Promise<void> {
    if (running.current) return;
    const documents = documentsFromText(form.documentsText);
    const base: RerankJob = {
      query: form.query,
      documents,
      instruction: form.instruction,
      maxLength: form.maxLength || undefined,
      longDocuments: form.longDocuments,
    };
    const jobs: Array<{ label: string; job: RerankJob }> = [];
    if (form.compare === 'off') jobs.push({ label: form.query, job: base });
    if (form.compare === 'instruction') {
      jobs.push({ label: instructionLabel(form.instruction), job: base });
      jobs.push({ label: instructionLabel(form.instructionB), job: { ...base, instruction: form.instructionB } });
    }
    if (form.compare === 'query') {
      jobs.push({ label: form.query, job: base });
      jobs.push({ label: form.queryB, job: { ...base, query: form.queryB } });
    }

    const controller = new AbortController();
    running.current = controller;
    setError(null);
    setNotice(null);
    const done = jobs.map(() => 0);
    const total = documents.length * jobs.length;
    setProgress({ done: 0, total });
    try {
      const runs = await Promise.all(jobs.map(async ({ label, job }, i): Promise<LabelledRun> => {
        const outcome = await runRerank(client, job, {
          signal: controller.signal,
          onProgress: (count) => {
            done[i] = count;
            setProgress({ done: done.reduce((sum, n) => sum + n, 0), total });
          },
        });
        return { label, query: job.query, outcome };
      }));
      setResult(runs.length === 1 ? { mode: 'single', run: runs[0] as LabelledRun } : { mode: 'compare', a: runs[0] as LabelledRun, b: runs[1] as LabelledRun });
      // On a narrow window the results are below the controls: bring them into view (same breakpoint as styles.css).
      if (window.matchMedia('(max-width: 899px)').matches) resultsPanel.current?.scrollIntoView({ block: 'start' });
    } catch (caught) {
      if (controller.signal.aborted) {
        setNotice(`Cancelled after ${done.reduce((sum, n) => sum + n, 0)} of ${total} documents were scored.`);
      } else {
        controller.abort();
        setError(caught instanceof Error ? caught : new Error(String(caught)));
      }
    } finally {
      running.current = null;
      setProgress(null);
      setFinishedRuns((n) => n + 1);
    }
  }

  // Ctrl+Enter (⌘+Enter on macOS) runs from anywhere on the page; the ref keeps the listener on the latest form.
  const runLatest = useRef(run);
  runLatest.current = run;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void runLatest.current();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  function loadExample(): void {
    update({ query: EXAMPLE_QUERY, queryB: EXAMPLE_QUERY_B, documentsText: EXAMPLE_DOCUMENTS.join('\n') });
  }

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
          <ControlPanel form={form} onChange={update} onImportError={(message) => setError(new Error(message))}>
            <div class="run-bar">
              {progress ? (
                <>
                  <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
                    <div class="progress-fill" style={{ width: `${progress.total ? (progress.done / progress.total) * 100 : 100}%` }} />
                  </div>
                  <span class="progress-text" data-testid="progress">Scored {progress.done} of {progress.total} documents</span>
                  <button type="button" class="danger" onClick={() => running.current?.abort()}>Cancel</button>
                </>
              ) : (
                <button type="button" class="primary run-button" onClick={() => void run()}>
                  {form.compare === 'off' ? 'Rerank' : 'Compare'} <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
                </button>
              )}
            </div>
          </ControlPanel>
        </aside>
        <main class="results" ref={resultsPanel} aria-label="Results" data-finished-runs={finishedRuns}>
          {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
          {notice && <div class="notice" role="status">{notice}</div>}
          {result ? <ResultViews result={result} form={form} view={view} onView={setView} /> : <EmptyState onExample={loadExample} />}
        </main>
      </div>
      {keyRequest && (
        <ApiKeyDialog
          message={keyRequest.message}
          onSubmit={(key) => {
            keyRequest.resolve(key);
            setKeyRequest(null);
          }}
        />
      )}
    </div>
  );
}

interface ResultViewsProps {
  result: RunResult;
  form: WorkbenchForm;
  view: View;
  onView: (view: View) => void;
}

function ResultViews({ result, form, view, onView }: ResultViewsProps) {
  const options = { topN: form.topN, minScore: form.minScore };
  if (result.mode === 'compare') {
    const comparison = compareRuns(result.a.outcome.scored, result.b.outcome.scored, options);
    const compareView = view === 'chart' ? 'chart' : 'cards';
    return (
      <>
        <ResultHeader runs={[result.a, result.b]} views={['cards', 'chart']} view={compareView} onView={onView} />
        {compareView === 'chart' ? (
          <ScoreChart series={[{ label: `A: ${result.a.label}`, ranked: comparison.a }, { label: `B: ${result.b.label}`, ranked: comparison.b }]} minScore={form.minScore} />
        ) : (
          <CompareView comparison={comparison} labelA={result.a.label} labelB={result.b.label} termsA={queryTerms(result.a.query)} termsB={queryTerms(result.b.query)} />
        )}
      </>
    );
  }
  const ranked = rankDocuments(result.run.outcome.scored, options);
  return (
    <>
      <ResultHeader runs={[result.run]} views={['cards', 'table', 'chart']} view={view} onView={onView} />
      {view === 'cards' && <RankedCards ranked={ranked} terms={queryTerms(result.run.query)} />}
      {view === 'table' && <DataTable ranked={ranked} />}
      {view === 'chart' && <ScoreChart series={[{ label: result.run.label, ranked }]} minScore={form.minScore} />}
    </>
  );
}

const VIEW_LABELS: Record<View, string> = { cards: 'Cards', table: 'Table', chart: 'Chart' };

function ResultHeader({ runs, views, view, onView }: { runs: LabelledRun[]; views: View[]; view: View; onView: (view: View) => void }) {
  const documents = runs[0]?.outcome.scored.length ?? 0;
  const tokens = runs.reduce((sum, run) => sum + run.outcome.totalTokens, 0);
  const duration = Math.max(...runs.map((run) => run.outcome.durationMs));
  const models = [...new Set(runs.map((run) => shortModelName(run.outcome.model)))];
  return (
    <div class="result-header">
      <div class="tabs" role="tablist">
        {views.map((name) => (
          <button key={name} type="button" role="tab" aria-selected={view === name} class={view === name ? 'active' : ''} onClick={() => onView(name)}>
            {name === 'cards' && runs.length > 1 ? 'Side by side' : VIEW_LABELS[name]}
          </button>
        ))}
      </div>
      <span class="result-summary" data-testid="result-summary">
        {documents} documents{runs.length > 1 ? ' × 2 runs' : ''} · {formatDuration(duration)}
        {tokens > 0 && ` · ${tokens.toLocaleString('en')} tokens`}
        {models.length > 0 && ` · ${models.join(' vs ')}`}
      </span>
    </div>
  );
}

function EmptyState({ onExample }: { onExample: () => void }) {
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

function instructionLabel(instruction: string): string {
  const preset = INSTRUCTION_PRESETS.find((p) => p.instruction === instruction);
  if (preset) return preset.label;
  return instruction.length > 60 ? `${instruction.slice(0, 60)}…` : instruction || '(empty instruction)';
}

/** The last form from localStorage, so a reload keeps the user's work; unknown or broken entries are ignored. */
function loadForm(): WorkbenchForm {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(FORM_STORAGE_KEY) ?? 'null');
    if (typeof stored !== 'object' || stored === null) return DEFAULT_FORM;
    const entries = Object.entries(stored).filter(([key, value]) => key in DEFAULT_FORM && typeof value === typeof DEFAULT_FORM[key as keyof WorkbenchForm]);
    return { ...DEFAULT_FORM, ...Object.fromEntries(entries) };
  } catch {
    return DEFAULT_FORM;
  }
}
