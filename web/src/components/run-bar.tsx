/** Under the controls: the Rerank/Compare button, or the progress bar and Cancel while a run is in progress. */
import type { RunProgress } from '../use-rerank-run.js';

interface RunBarProps {
  progress: RunProgress | null;
  comparing: boolean;
  onRun: () => void;
  onCancel: () => void;
}

export function RunBar({ progress, comparing, onRun, onCancel }: RunBarProps) {
  return (
    <div class="run-bar">
      {progress ? (
        <>
          <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
            <div class="progress-fill" style={{ width: `${progress.total ? (progress.done / progress.total) * 100 : 100}%` }} />
          </div>
          <span class="progress-text" data-testid="progress">Scored {progress.done} of {progress.total} documents</span>
          <button type="button" class="danger" onClick={onCancel}>Cancel</button>
        </>
      ) : (
        <button type="button" class="primary run-button" onClick={onRun}>
          {comparing ? 'Compare' : 'Rerank'} <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
        </button>
      )}
    </div>
  );
}
