import type { Qwen3Config } from './qwen3-config.js';
import type { PrefixHandle } from './session-protocol.js';

/** What the cache needs of the session: evaluate a prefix into a key/value cache, and free one. */
export interface PrefixEvaluator {
  extend(tokens: readonly number[]): Promise<PrefixHandle>;
  release(cache: PrefixHandle): void;
}

/** A run's hold on one prefix's key/value cache: the entry is not evicted until `release()`. */
export interface PrefixLease {
  readonly handle: Promise<PrefixHandle>;
  /** True when this lease started the prefix's evaluation (it was not cached). */
  readonly evaluated: boolean;
  /** Ends the hold (once; later calls do nothing). The entry stays cached while the budget allows. */
  release(): void;
}

interface Entry {
  readonly key: string;
  readonly bytes: number;
  readonly handle: Promise<PrefixHandle>;
  /** Set once the worker has evaluated the prefix: only then can the entry be evicted. */
  settled: PrefixHandle | undefined;
  /** Runs holding the entry (leases not yet released). */
  users: number;
}

/**
 * Bytes of the key/value cache one token adds: K and V, F32, `kvHeads × headDim` per layer (GroupQueryAttention's
 * `present_key`/`present_value`, shape [batch, kv_num_heads, total_sequence_length, head_size]:
 * https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md#com.microsoft.GroupQueryAttention).
 * 224 KiB on the 0.6B shape (28 layers × 8 × 128).
 */
export function keyValueBytesPerToken(config: Pick<Qwen3Config, 'layers' | 'kvHeads' | 'headDim'>): number {
  return config.layers * 2 * config.kvHeads * config.headDim * Float32Array.BYTES_PER_ELEMENT;
}

/**
 * The key/value caches of recent shared prefixes (one per instruction + query), least recently used evicted first
 * while their bytes exceed the budget. An entry a run holds (a lease not yet released, its evaluation included) is
 * never evicted: the budget is exceeded rather than a cache freed under a run that reads it.
 */
export class PrefixCache {
  /** Least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private heldBytes = 0;

  constructor(
    private readonly evaluator: PrefixEvaluator,
    /** Bytes of key/value tensors kept once no run holds them. */
    readonly budgetBytes: number,
    private readonly bytesPerToken: number,
  ) {}

  /** Bytes of key/value tensors held now (evaluated or being evaluated). */
  get bytes(): number {
    return this.heldBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cache of `tokens`, evaluated now unless cached, held until the lease is released. */
  acquire(tokens: readonly number[]): PrefixLease {
    const key = tokens.join(',');
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key); // re-inserted as the most recent
      this.entries.set(key, cached);
      return this.lease(cached, false);
    }
    const bytes = tokens.length * this.bytesPerToken;
    // Evicted before the evaluation is sent: the worker (one request at a time, in order) frees them first.
    this.evict(bytes);
    const entry: Entry = { key, bytes, handle: this.evaluator.extend(tokens), settled: undefined, users: 0 };
    this.entries.set(key, entry);
    this.heldBytes += bytes;
    entry.handle.then(
      (handle) => (entry.settled = handle),
      () => this.forget(entry),
    );
    return this.lease(entry, true);
  }

  private lease(entry: Entry, evaluated: boolean): PrefixLease {
    entry.users++;
    let held = true;
    return {
      handle: entry.handle,
      evaluated,
      release: () => {
        if (!held) return;
        held = false;
        entry.users--;
        this.evict(0);
      },
    };
  }

  /** Evicts the least recently used entries no run holds until `incoming` more bytes fit the budget, or none is left. */
  private evict(incoming: number): void {
    for (const entry of this.entries.values()) {
      if (this.heldBytes + incoming <= this.budgetBytes) return;
      if (entry.users > 0 || !entry.settled) continue;
      this.forget(entry);
      this.evaluator.release(entry.settled);
    }
  }

  /** Drops `entry` if it is still the one cached under its key (a failed evaluation may settle after its key was reused). */
  private forget(entry: Entry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.heldBytes -= entry.bytes;
  }
}
