/** Polls `GET /ready` until the engine is ready. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type ApiClient } from './api-client.js';

export interface ServerStatus {
  state: 'connecting' | 'loading' | 'ready' | 'error';
  model?: string;
  engine?: string;
  device?: string;
  /** Random-weight demo model: its scores mean nothing. */
  demo: boolean;
  loadTimeMs?: number;
  /** Why the server is not ready, or cannot be reached. */
  message?: string;
}

/** `/ready` answer (src/server/routes/status-routes.ts): 200 with these fields when loaded; 503 with `status`
 * `loading`/`failed`/`unavailable`/`draining` (and `error` when failed or unavailable) otherwise. */
interface ReadyWire {
  status?: string;
  model?: string;
  engine?: string;
  device?: string;
  demo?: boolean;
  load_time_ms?: number;
}

const LOADING_POLL_MS = 1000;
const ERROR_POLL_MS = 3000;

export function useServerStatus(client: ApiClient): ServerStatus {
  const [status, setStatus] = useState<ServerStatus>({ state: 'connecting', demo: false });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();

    async function poll(): Promise<void> {
      try {
        const ready = await client.request<ReadyWire>('ready', { signal: controller.signal });
        if (stopped) return;
        setStatus({ ...fromWire(ready), state: 'ready' });
      } catch (error) {
        if (stopped) return;
        const loading = error instanceof ApiError && error.status === 503;
        setStatus((previous) => ({
          ...previous,
          state: loading ? 'loading' : 'error',
          message: error instanceof Error ? error.message : String(error),
        }));
        timer = setTimeout(() => void poll(), loading ? LOADING_POLL_MS : ERROR_POLL_MS);
      }
    }

    void poll();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [client]);

  return status;
}

function fromWire(ready: ReadyWire): Omit<ServerStatus, 'state'> {
  return {
    model: ready.model,
    engine: ready.engine,
    device: ready.device,
    demo: ready.demo === true,
    loadTimeMs: ready.load_time_ms,
  };
}
