/** The results panel of a finished run: cards, table or chart of one run; side by side or chart of two. */
import type { WorkbenchForm } from './control-panel.js';
import { CompareView } from './compare-view.js';
import { DataTable } from './data-table.js';
import { RankedCards } from './ranked-cards.js';
import { ScoreChart } from './score-chart.js';
import { formatDuration, shortModelName } from './status-card.js';
import { queryTerms } from '../highlight.js';
import { compareRuns, rankDocuments } from '../ranking.js';
import type { LabelledRun, RunResult } from '../use-rerank-run.js';

export type View = 'cards' | 'table' | 'chart';

interface ResultViewsProps {
  result: RunResult;
  form: WorkbenchForm;
  view: View;
  onView: (view: View) => void;
}

export function ResultViews({ result, form, view, onView }: ResultViewsProps) {
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
