import { Worker } from 'node:worker_threads';
import type { LlamaModel, Token } from 'node-llama-cpp';
import { ModelLoadError, RerankerError } from '../../spec/errors.js';
import { LLAMA_RUNTIME_OPTIONS } from './llama-runtime.js';
import { WORKER_NICE_INCREMENT } from './thread-priority.js';

/**
 * Texts longer than this are tokenized on a worker thread: llama.cpp's tokenizer is a synchronous call that took
 * 2.5 s for 8 MB of English and 30 s for 8 MB of Chinese on the event loop (measured on this project's CI
 * machine), long enough to fail a liveness probe. Shorter texts take well under 20 ms and stay inline.
 */
const INLINE_CHARACTERS = 65_536;

/** First guess of characters per kept token when tokenizing only a prefix; doubled until the prefix is enough. */
const PREFIX_CHARACTERS_PER_TOKEN = 8;

/**
 * A cut point where llama.cpp's Qwen2 pre-tokenizer (llama-vocab.cpp `LLAMA_VOCAB_PRE_TYPE_QWEN2`, the regex
 * `(?:'[sS]|…)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`) always splits:
 * an ASCII or CJK letter followed by whitespace or sentence punctuation. No alternative of the regex matches a
 * letter and then one of these characters, so a pre-token ends at the letter; BPE merges never cross pre-tokens,
 * and no Qwen3 added token (`<think>`, `<|im_end|>`…) contains them. So the tokens of `text.slice(0, cut)` are
 * exactly the first tokens of `text` (test/e2e/local-tokenization.test.ts checks it against whole-text runs).
 */
const SAFE_CUT = /[A-Za-z\u4e00-\u9fff](?=[\s.,;:!?\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f])/g;

/** The first safe cut at or after `from`, or undefined when there is none before the end of the text. */
export function safeCut(text: string, from: number): number | undefined {
  SAFE_CUT.lastIndex = Math.max(0, from - 1);
  const match = SAFE_CUT.exec(text);
  return match ? match.index + 1 : undefined;
}

export interface BodyTokenizer {
  /** Plain-text tokens of `text` (special tokens not parsed). With `enough`, may return only a prefix of them, but
   * then at least `enough` tokens, each equal to the whole text's. */
  tokenize(text: string, enough?: number): Promise<Token[]>;
  close(): Promise<void>;
}

/**
 * Tokenizes like `model.tokenize(text, false)`, without blocking the event loop on long texts. Shared by the local
 * engines: `model` may be a full model (llama.cpp engine) or a vocabulary-only one (ONNX engine); the worker thread
 * loads its own vocabulary-only copy from `modelPath` on first use.
 */
export function createBodyTokenizer(model: LlamaModel, modelPath: string): BodyTokenizer {
  let worker: TokenizerWorker | undefined;
  const tokenizeWhole = (text: string): Token[] | Promise<Token[]> => {
    if (text.length <= INLINE_CHARACTERS) return model.tokenize(text, false);
    worker ??= new TokenizerWorker(modelPath);
    return worker.tokenize(text);
  };
  return {
    async tokenize(text, enough) {
      if (enough !== undefined) {
        for (let characters = enough * PREFIX_CHARACTERS_PER_TOKEN; characters < text.length; characters *= 2) {
          const cut = safeCut(text, characters);
          if (cut === undefined) break;
          const tokens = await tokenizeWhole(text.slice(0, cut));
          if (tokens.length >= enough) return tokens;
        }
      }
      return tokenizeWhole(text);
    },
    async close() {
      await worker?.close();
    },
  };
}

/**
 * The worker's code, evaluated as a script (a worker file would need its own build step: Node 20 workers do not
 * inherit the TypeScript loader the tests run under). It loads the vocabulary only and answers
 * `{id, text}` with `{id, tokens}`, tokenized like `model.tokenize(text, false)`; llama.cpp starts on the CPU with the
 * settings of every other runtime (llama-runtime.ts, passed in `workerData`).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  // Lower this thread's priority, as engines/local/thread-priority.ts does for the ONNX session worker (inlined: this code
  // is evaluated as a script and cannot import a TypeScript module).
  try {
    if (process.platform === 'linux') {
      const os = require('node:os');
      const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
      os.setPriority(tid, Math.min(19, os.getPriority(tid) + workerData.niceIncrement));
    }
  } catch {}
  try {
    const { getLlama } = await import(workerData.nodeLlamaCpp);
    const llama = await getLlama({ ...workerData.llamaOptions, gpu: false });
    const model = await llama.loadModel({ modelPath: workerData.modelPath, vocabOnly: true });
    parentPort.on('message', ({ id, text }) => {
      try {
        const tokens = Uint32Array.from(model.tokenize(text, false));
        parentPort.postMessage({ id, tokens }, [tokens.buffer]);
      } catch (error) {
        parentPort.postMessage({ id, error: String(error) });
      }
    });
    parentPort.postMessage({ ready: true });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
})();
`;

/** One worker thread holding the model's vocabulary only (`vocabOnly`, no weights); requests run one at a time. */
class TokenizerWorker {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (tokens: Token[]) => void; reject: (error: Error) => void }>();

  constructor(modelPath: string) {
    const workerData = { modelPath, nodeLlamaCpp: import.meta.resolve('node-llama-cpp'), llamaOptions: LLAMA_RUNTIME_OPTIONS, niceIncrement: WORKER_NICE_INCREMENT };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    this.ready = new Promise((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: { ready?: true; id?: number; tokens?: Uint32Array; error?: string }) => {
      if (message.id === undefined) {
        if (message.ready) settle?.resolve();
        else settle?.reject(new ModelLoadError('model_load_failed', `cannot load the tokenizer: ${message.error}`));
        return;
      }
      const request = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.tokens) request?.resolve(Array.from(message.tokens) as Token[]);
      else request?.reject(new RerankerError('engine_failed', message.error ?? 'tokenization failed'));
    });
    const failAll = (error: Error) => {
      settle?.reject(error);
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (error) => failAll(new RerankerError('engine_failed', `the tokenizer worker failed: ${error.message}`, { cause: error })));
    this.worker.on('exit', () => failAll(new RerankerError('engine_failed', 'the tokenizer worker exited')));
    // An idle worker must not keep the process alive (a script that never calls close() still exits). Unreferenced
    // after the listeners, not before: adding a 'message' listener references the worker's port again.
    this.worker.unref();
  }

  /** Requests started and not yet answered; the worker is referenced while there are any (the process waits for
   * their answers). */
  private waiting = 0;

  async tokenize(text: string): Promise<Token[]> {
    if (this.waiting++ === 0) this.worker.ref();
    try {
      await this.ready;
      const id = this.nextId++;
      return await new Promise<Token[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ id, text });
      });
    } finally {
      if (--this.waiting === 0) this.worker.unref();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
