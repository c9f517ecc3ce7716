import { createReranker, type CreateRerankerOptions, type Reranker } from '../index.js';
import { createApp, type CreateAppOptions, type RerankerApp } from './create-app.js';

export interface ServeOptions extends Omit<CreateAppOptions, 'reranker' | 'logger'> {
  /** What to serve: options for `createReranker`, or a factory. Called after the port is open, so `/health`
   * answers and `/ready` says "loading" while the model loads. */
  reranker: CreateRerankerOptions | (() => Promise<Reranker>);
  /** TCP port; `0` picks a free one. Default: 8000. */
  port?: number;
  /** Interface to listen on. Default: `127.0.0.1` (use `0.0.0.0` to accept remote clients). */
  host?: string;
  /** pino log level, or `false` for no logs. Default: `'info'`. */
  logLevel?: string | false;
  /** How long a shutdown waits for in-flight requests before aborting them. Default: 30000. */
  drainTimeoutMs?: number;
  /** Install SIGTERM/SIGINT handlers that drain and close (a second signal exits at once). Default: true. */
  handleSignals?: boolean;
}

export interface ServeHandle {
  app: RerankerApp;
  /** `http://host:port` the server listens on. */
  url: string;
  /** Resolves with the reranker once loaded; rejects if loading failed (the server is then closed). */
  ready: Promise<Reranker>;
  /** Resolves when the server has shut down (after `close()` or a signal). */
  closed: Promise<void>;
  /** Drains (new requests 503, in-flight ones finish), closes the server, then the reranker. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens first, then loads the model in the background; SIGTERM/SIGINT drain gracefully. The returned handle's
 * `ready` settles when the model is loaded (or failed to load).
 */
export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const { reranker: source, port = 8000, host = '127.0.0.1', logLevel = 'info', drainTimeoutMs = 30_000, handleSignals = true, ...appOptions } = options;
  let resolveLoaded!: (reranker: Reranker) => void;
  let rejectLoaded!: (error: unknown) => void;
  const loaded = new Promise<Reranker>((resolve, reject) => ((resolveLoaded = resolve), (rejectLoaded = reject)));
  loaded.catch(() => undefined); // observed through `ready`; never an unhandled rejection

  // The default tokenizer finds an `hf:` model where the reranker downloaded it.
  const modelsDir = appOptions.modelsDir ?? (typeof source === 'function' ? undefined : source.modelsDir);
  const app = createApp({
    ...appOptions,
    ...(modelsDir === undefined ? {} : { modelsDir }),
    reranker: loaded,
    logger: logLevel === false ? false : { level: logLevel },
  });
  const url = await app.listen({ port, host });

  let reranker: Reranker | undefined;
  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  const close = (): Promise<void> => {
    closing ??= (async () => {
      app.log.info('draining: refusing new requests, waiting for in-flight ones');
      await app.drain(drainTimeoutMs);
      await app.close();
      await reranker?.close();
      app.log.info('shut down');
      removeSignalHandlers();
      resolveClosed();
    })();
    return closing;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      app.log.warn(`${signal} again: exiting without draining`);
      process.exit(1);
    }
    app.log.info(`${signal} received`);
    void close();
  };
  const removeSignalHandlers = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  const ready = (typeof source === 'function' ? source() : createReranker(source)).then(
    async (created) => {
      reranker = created;
      resolveLoaded(created);
      const { info } = created;
      app.log.info({ model: info.model, engine: info.engine, device: info.device, demo: info.demo, loadTimeMs: Math.round(info.loadTimeMs) }, 'model loaded');
      // A shutdown that began while the model loaded has nothing left to wait for but this reranker.
      if (closing) await created.close();
      return created;
    },
    async (error: unknown) => {
      rejectLoaded(error);
      app.log.error({ err: error }, 'model failed to load');
      await close();
      throw error;
    },
  );
  ready.catch(() => undefined); // the caller decides whether to await it
  return { app, url, ready, closed, close };
}
