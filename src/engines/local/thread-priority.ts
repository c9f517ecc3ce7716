import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * How much less CPU the local engines' compute threads (the ONNX session worker and onnxruntime's intra-op threads
 * it starts, the body tokenizer's worker) ask for than the main thread: a nice value 5 above it, so that when the
 * cores are all busy the scheduler gives the main thread about three times a worker's share (Linux CFS weights
 * 1024 : 335). The main thread answers a server's /health and timeouts and hands out the next run; starved by its
 * own workers, it answered /health after 1.5 s on a busy 2-core machine (bench/health-under-load.ts). On an idle
 * machine a nice value changes nothing.
 */
export const WORKER_NICE_INCREMENT = 5;

/**
 * Lowers the calling thread's scheduling priority by `WORKER_NICE_INCREMENT`; threads it creates afterwards inherit
 * it (on Linux a nice value belongs to a thread and is copied at `clone`). Call it first thing in a worker thread.
 * Linux only: there `setpriority(PRIO_PROCESS, tid)` affects one thread, which `/proc/thread-self` names; elsewhere
 * it would renice the whole process, so it does nothing. Returns whether the priority was lowered.
 */
export function lowerThreadPriority(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    // os.getPriority/setPriority call getpriority/setpriority(PRIO_PROCESS, id), per thread on Linux.
    setPriority(tid, Math.min(19, getPriority(tid) + WORKER_NICE_INCREMENT));
    return true;
  } catch {
    // No /proc (a sandbox) or a policy that refuses it: the thread keeps its priority; nothing else depends on it.
    return false;
  }
}

