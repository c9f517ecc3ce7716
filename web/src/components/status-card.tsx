/** Engine status from `GET /ready`: model, engine, device, loading or ready with its load time, demo warning. */
import type { ServerStatus } from '../use-server-status.js';

const STATE_LABEL: Record<ServerStatus['state'], string> = {
  connecting: 'connecting…',
  loading: 'loading model…',
  ready: 'ready',
  error: 'unreachable',
};

export function StatusCard({ status }: { status: ServerStatus }) {
  return (
    <section class="status-card" aria-label="Engine status" data-state={status.state}>
      <strong class="status-model" title={status.model}>{status.model ? shortModelName(status.model) : 'qwen-ranker'}</strong>
      <div class="status-line">
        <span class={`status-dot ${status.state}`} aria-hidden="true" />
        <span class="status-state" data-testid="engine-state">
          {STATE_LABEL[status.state]}
          {status.state === 'ready' && status.loadTimeMs !== undefined && ` · loaded in ${formatDuration(status.loadTimeMs)}`}
        </span>
      </div>
      {(status.engine || status.device) && (
        <div class="status-tags">
          {status.engine && <span class="tag">engine: {status.engine}</span>}
          {status.device && <span class="tag">device: {status.device}</span>}
        </div>
      )}
      {status.demo && (
        <div class="demo-badge" role="status" data-testid="demo-badge">DEMO: random weights, scores are meaningless</div>
      )}
      {status.state !== 'ready' && status.message && <p class="status-message">{status.message}</p>}
    </section>
  );
}

/** The file name of a local model path; `hf:` URIs and remote model names stay whole. */
export function shortModelName(model: string): string {
  return model.startsWith('hf:') ? model : (model.split(/[\\/]/).pop() || model);
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
