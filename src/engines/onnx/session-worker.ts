// The ONNX engine's worker thread: builds the graph and owns the onnxruntime session and the prefix key/value
// caches. onnxruntime-node runs a session synchronously on the calling thread (its backend.js calls the native
// `run` inside setImmediate), so on the main thread every document would block the event loop (a server's
// /health, its timeouts) for as long as the model runs, and the graph build for ~2 s at load.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { isRerankerError, RerankerError } from '../../spec/errors.js';
import { lowerThreadPriority } from '../local/thread-priority.js';
import { GgufTensorFile } from './gguf-tensors.js';
import { Qwen3Session, type KeyValueCache } from './qwen3-session.js';
import type { RequestReply, SessionReply, SessionRequest, SessionWorkerData, WireError } from './session-protocol.js';

const port = parentPort!;
const data = workerData as SessionWorkerData;
const post = (reply: SessionReply) => port.postMessage(reply);
const wireError = (error: unknown): WireError => ({
  message: error instanceof Error ? error.message : String(error),
  code: isRerankerError(error) ? error.code : undefined,
});

// Before onnxruntime starts its intra-op threads, which inherit this thread's priority: the main thread must win
// the cores when they are all busy (engines/local/thread-priority.ts).
lowerThreadPriority();

let session: Qwen3Session;
try {
  const ort = await import('onnxruntime-node');
  session = await Qwen3Session.create(ort, GgufTensorFile.fromLayout(data.layout), data.config, data.options);
  collectGarbage();
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'load_failed', error: wireError(error) });
  process.exit(1);
}

const caches = new Map<number, KeyValueCache>();
let nextCache = 1;
const cache = (id: number | undefined) => {
  if (id === undefined) return undefined;
  const found = caches.get(id);
  if (!found) throw new RerankerError('engine_failed', `no key/value cache ${id} in the session worker`);
  return found;
};

async function handle(request: SessionRequest): Promise<RequestReply> {
  switch (request.type) {
    case 'extend': {
      const id = nextCache++;
      caches.set(id, await session.extend(request.tokens, cache(request.past)));
      return { type: 'extended', id: request.id, cache: id };
    }
    case 'score':
      return { type: 'scored', id: request.id, logits: await session.score(request.documents, cache(request.past)) };
    case 'release':
      caches.delete(request.cache);
      return { type: 'done', id: request.id };
    case 'close':
      caches.clear();
      await session.close();
      return { type: 'done', id: request.id };
  }
}

// One request at a time, in arrival order: a run already uses every intra-op thread.
let queue = Promise.resolve();
port.on('message', (request: SessionRequest) => {
  queue = queue.then(async () => {
    try {
      post(await handle(request));
    } catch (error) {
      post({ type: 'failed', id: request.id, error: wireError(error) });
    }
    if (request.type === 'close') port.close();
  });
});

/**
 * The encoded weights handed to onnxruntime (0.52 GB for the 0.6B Q8_0 shape) are garbage once the session is built,
 * but this thread allocates little afterwards, so V8 would keep them for as long as the engine lives (measured: 1.68
 * GB resident after loading, 1.18 GB with this collection). `gc` is given to contexts made after the flag is set at
 * run time (the way jest-leak-detector forces a collection; node:v8 `setFlagsFromString`). The flag is process-wide
 * and is left set: turning it off again raced with another engine loading at the same time, whose new context then
 * had no `gc` (a failed load, and `auto` fell back to llama.cpp). Without a `gc` the memory is merely freed later.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc === 'function') gc();
}
