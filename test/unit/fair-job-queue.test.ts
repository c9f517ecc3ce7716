// The job queue both local engines take their work from (src/engines/local/fair-job-queue.ts): which group goes
// next, what cancelling a group and closing the queue do to queued jobs. No model: jobs are plain objects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FairJobQueue } from '../../src/engines/local/fair-job-queue.js';
import type { ScoreJob } from '../../src/engines/local/group-scoring.js';

interface TestJob extends ScoreJob {
  name: string;
  rejectedWith?: unknown;
}

/** Jobs named `${group}${index}` (`a0`, `a1`…), recording how they were rejected. */
function jobs(groupId: number, count: number, name = String.fromCharCode(96 + groupId)): TestJob[] {
  return Array.from({ length: count }, (_, i) => {
    const job: TestJob = {
      name: `${name}${i}`,
      groupId,
      tokens: [1, 2, 3],
      sharedLength: 2,
      resolve: () => undefined,
      reject: (error) => (job.rejectedWith = error),
    };
    return job;
  });
}

/** Takes one job at a time until the queue is empty; the names in the order taken. */
function drainOrder(queue: FairJobQueue): string[] {
  const order: string[] = [];
  for (let taken = queue.take(); taken; taken = queue.take()) order.push(...taken.map((job) => (job as TestJob).name));
  return order;
}

describe('FairJobQueue', () => {
  it('serves the group with the fewest queued jobs first, the oldest on ties, each group in submission order', () => {
    const queue = new FairJobQueue(() => undefined);
    queue.submit(jobs(1, 3)); // a: 3 jobs
    queue.submit(jobs(2, 1)); // b: 1
    queue.submit(jobs(3, 3)); // c: 3, after a
    queue.submit(jobs(4, 2)); // d: 2
    assert.equal(queue.size, 9);
    // b (1) → d (2, 1) → then a and c are tied at 3: a is older; after a0 a has 2 < 3, so a runs on; then c.
    assert.deepEqual(drainOrder(queue), ['b0', 'd0', 'd1', 'a0', 'a1', 'a2', 'c0', 'c1', 'c2']);
    assert.equal(queue.size, 0);
  });

  it('lets a request that arrives later with fewer jobs overtake a large one already queued', () => {
    const queue = new FairJobQueue(() => undefined);
    queue.submit(jobs(1, 1000));
    assert.deepEqual(queue.take()!.map((job) => (job as TestJob).name), ['a0']);
    queue.submit(jobs(2, 2));
    assert.deepEqual(drainOrder(queue).slice(0, 3), ['b0', 'b1', 'a1']);
  });

  it('offers the next group when the chooser passes, and keeps the passed group for later', () => {
    const queue = new FairJobQueue(() => undefined);
    queue.submit(jobs(1, 1));
    queue.submit(jobs(2, 2));
    const offered: string[] = [];
    const taken = queue.take((first) => {
      offered.push((first as TestJob).name);
      return first.groupId === 1 ? undefined : [first];
    });
    assert.deepEqual(offered, ['a0', 'b0']);
    assert.deepEqual(taken!.map((job) => (job as TestJob).name), ['b0']);
    assert.equal(queue.size, 2);
    assert.deepEqual(drainOrder(queue), ['a0', 'b1']);
    assert.equal(queue.take(() => undefined), undefined);
  });

  it('takes any subset of a group (a pack), in the order the chooser returns', () => {
    const queue = new FairJobQueue(() => undefined);
    queue.submit(jobs(1, 5));
    const pack = queue.take((first, queued) => [...queued].filter((job, i) => job === first || i % 2 === 0));
    assert.deepEqual(pack!.map((job) => (job as TestJob).name), ['a0', 'a2', 'a4']);
    assert.deepEqual(drainOrder(queue), ['a1', 'a3']);
  });

  it('cancelGroup rejects only that group\'s queued jobs, with the error given', () => {
    const queue = new FairJobQueue(() => undefined);
    const a = jobs(1, 3);
    const b = jobs(2, 2);
    queue.submit(a);
    queue.submit(b);
    const cancelled = new Error('cancelled');
    queue.cancelGroup(1, cancelled);
    assert.deepEqual(a.map((job) => job.rejectedWith), [cancelled, cancelled, cancelled]);
    assert.deepEqual(b.map((job) => job.rejectedWith), [undefined, undefined]);
    assert.equal(queue.size, 2);
    assert.deepEqual(drainOrder(queue), ['b0', 'b1']);
    queue.cancelGroup(1, cancelled); // nothing left of it: no effect
  });

  it('close rejects every queued job, and every job submitted afterwards with an aborted error', () => {
    let wakes = 0;
    const queue = new FairJobQueue(() => wakes++);
    const a = jobs(1, 2);
    queue.submit(a);
    assert.equal(wakes, 1, 'submit wakes the engine');
    const closing = new Error('closing');
    queue.close(closing);
    assert.deepEqual(a.map((job) => job.rejectedWith), [closing, closing]);
    assert.equal(queue.size, 0);
    assert.equal(queue.take(), undefined);
    const late = jobs(2, 1);
    queue.submit(late);
    assert.equal((late[0]!.rejectedWith as { code?: string }).code, 'aborted');
    assert.equal(wakes, 1, 'a closed queue does not wake the engine');
  });

  it('picks in O(log groups): 20,000 one-job groups and one large group drain in well under a second', () => {
    const queue = new FairJobQueue(() => undefined);
    queue.submit(jobs(1, 20_000, 'big'));
    for (let g = 2; g < 20_002; g++) queue.submit(jobs(g, 1, `g${g}-`));
    const started = performance.now();
    const order = drainOrder(queue);
    const elapsed = performance.now() - started;
    assert.equal(order.length, 40_000);
    assert.equal(order[0], 'g2-0');
    assert.equal(order[19_999], 'g20001-0');
    assert.equal(order[20_000], 'big0');
    // ~0.3 s on a loaded 2-core machine; a pick that counts every queued job (O(jobs) each, as both engines did)
    // makes this ~1.6e9 steps.
    assert.ok(elapsed < 2000, `${elapsed.toFixed(0)} ms`);
  });
});
