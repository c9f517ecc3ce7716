import { AbortedError } from '../../spec/errors.js';
import type { ScoreJob, ScoreJobQueue } from './group-scoring.js';

/** A group's queued jobs in submission order (`jobs[head…]`), and its place in the heap. */
interface QueuedGroup {
  groupId: number;
  jobs: ScoreJob[];
  head: number;
  /** Arrival order of the group (its first submission while none of its jobs were queued): the tie-break. */
  arrival: number;
  heapIndex: number;
}

/**
 * The job queue of both local engines: jobs wait here, grouped by request, until the engine takes them. The group
 * to serve next is the one with the fewest queued jobs, the oldest on ties (shortest remaining work first: a
 * 3-document request is never stuck behind a 1,000-document one, and requests of equal size finish one after
 * another instead of all together at the end, which keeps median latency low). Groups sit in a binary heap on
 * (queued jobs, arrival), so a pick costs O(log groups), not a count over every queued job.
 */
export class FairJobQueue implements ScoreJobQueue {
  private readonly groups = new Map<number, QueuedGroup>();
  private readonly heap: QueuedGroup[] = [];
  private arrivals = 0;
  private queued = 0;
  private closed = false;

  /** @param onSubmit called after jobs were queued, for the engine to start what it has room for */
  constructor(private readonly onSubmit: () => void) {}

  /** Jobs waiting. */
  get size(): number {
    return this.queued;
  }

  submit(jobs: readonly ScoreJob[]): void {
    if (this.closed) {
      for (const job of jobs) job.reject(new AbortedError('the engine is closing'));
      return;
    }
    for (const job of jobs) {
      let group = this.groups.get(job.groupId);
      if (!group) {
        group = { groupId: job.groupId, jobs: [], head: 0, arrival: this.arrivals++, heapIndex: this.heap.length };
        this.groups.set(job.groupId, group);
        this.heap.push(group);
      }
      group.jobs.push(job);
      this.queued++;
      this.siftDown(group.heapIndex);
      this.siftUp(group.heapIndex);
    }
    this.onSubmit();
  }

  /** Drops a group's queued jobs (request cancelled or failed), rejecting them with `error`. Jobs already taken
   * finish and are ignored by their group. */
  cancelGroup(groupId: number, error: unknown): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    const jobs = group.jobs.slice(group.head);
    this.removeGroup(group);
    for (const job of jobs) job.reject(error);
  }

  /** Rejects every queued job with `error`, and every job submitted from now on. */
  close(error: unknown): void {
    this.closed = true;
    const jobs = this.heap.flatMap((group) => group.jobs.slice(group.head));
    this.groups.clear();
    this.heap.length = 0;
    this.queued = 0;
    for (const job of jobs) job.reject(error);
  }

  /**
   * Takes the next jobs to run: `choose` is offered the group to serve next, its first queued job and all its queued
   * jobs in submission order (the first included), and returns those it takes (the first among them), or
   * `undefined` to pass (e.g. no free worker can hold that prompt); then the next group in order is offered.
   * Default: the group's first job.
   */
  take(choose: (first: ScoreJob, queued: Iterable<ScoreJob>) => readonly ScoreJob[] | undefined = (first) => [first]): readonly ScoreJob[] | undefined {
    const passed: QueuedGroup[] = [];
    let taken: readonly ScoreJob[] | undefined;
    while (!taken && this.heap.length > 0) {
      const group = this.heap[0]!;
      taken = choose(group.jobs[group.head]!, queuedJobs(group));
      if (taken) this.remove(group, taken);
      else {
        // Out of the heap while the others are offered, back in afterwards.
        this.removeGroup(group);
        passed.push(group);
      }
    }
    for (const group of passed) this.restore(group);
    return taken;
  }

  /** Removes taken jobs from their group: usually its first ones (O(1) each), else by a pass over the group. */
  private remove(group: QueuedGroup, taken: readonly ScoreJob[]): void {
    let leading = 0;
    while (leading < taken.length && group.jobs[group.head + leading] === taken[leading]) leading++;
    group.head += leading;
    // Drop the taken front once it is most of the array, so taken jobs are not kept alive by a long request.
    if (group.head > 64 && 2 * group.head > group.jobs.length) {
      group.jobs = group.jobs.slice(group.head);
      group.head = 0;
    }
    if (leading < taken.length) {
      const rest = new Set(taken.slice(leading));
      group.jobs = group.jobs.slice(group.head).filter((job) => !rest.has(job));
      group.head = 0;
    }
    this.queued -= taken.length;
    if (group.head === group.jobs.length) this.removeGroup(group);
    else this.siftUp(group.heapIndex);
  }

  private restore(group: QueuedGroup): void {
    group.heapIndex = this.heap.length;
    this.groups.set(group.groupId, group);
    this.heap.push(group);
    this.queued += group.jobs.length - group.head;
    this.siftUp(group.heapIndex);
  }

  private removeGroup(group: QueuedGroup): void {
    this.groups.delete(group.groupId);
    this.queued -= group.jobs.length - group.head;
    const last = this.heap.pop()!;
    if (last === group) return;
    this.heap[group.heapIndex] = last;
    last.heapIndex = group.heapIndex;
    this.siftDown(last.heapIndex);
    this.siftUp(last.heapIndex);
  }

  /** Whether `a` is served before `b`. */
  private before(a: QueuedGroup, b: QueuedGroup): boolean {
    const queuedA = a.jobs.length - a.head;
    const queuedB = b.jobs.length - b.head;
    return queuedA < queuedB || (queuedA === queuedB && a.arrival < b.arrival);
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(this.heap[index]!, this.heap[parent]!)) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    for (;;) {
      const left = 2 * index + 1;
      let first = index;
      if (left < this.heap.length && this.before(this.heap[left]!, this.heap[first]!)) first = left;
      if (left + 1 < this.heap.length && this.before(this.heap[left + 1]!, this.heap[first]!)) first = left + 1;
      if (first === index) return;
      this.swap(index, first);
      index = first;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }
}

function* queuedJobs(group: QueuedGroup): Generator<ScoreJob> {
  for (let i = group.head; i < group.jobs.length; i++) yield group.jobs[i]!;
}
