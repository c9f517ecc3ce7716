// Admission control of the HTTP server: bounded concurrency, a bounded FIFO queue, 429-style refusals with a
// Retry-After estimate, and queued work dropped (never started) when its request is aborted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAdmissionController } from '../../src/server/admission-controller.js';
import { AbortedError, OverloadedError } from '../../src/index.js';

/** A task that runs until `finish()` is called, recording when it started. */
function controllable(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('admission controller', () => {
  it('runs at most maxConcurrent tasks and starts queued ones in arrival order', async () => {
    const admission = createAdmissionController({ maxConcurrent: 2, maxQueued: 10 });
    const log: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => controllable(log, name));
    const signal = new AbortController().signal;
    const results = tasks.map((t) => admission.run(signal, t.task));
    await tick();
    assert.deepEqual(log, ['start a', 'start b']);
    assert.equal(admission.running, 2);
    assert.equal(admission.queued, 2);
    tasks[1]!.finish();
    await tick();
    assert.deepEqual(log, ['start a', 'start b', 'end b', 'start c']);
    for (const t of tasks) t.finish();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
    assert.equal(admission.running, 0);
    assert.equal(admission.queued, 0);
  });

  it('refuses a task when the queue is full, with a Retry-After of at least one second', async () => {
    const admission = createAdmissionController({ maxConcurrent: 1, maxQueued: 1 });
    const log: string[] = [];
    const running = controllable(log, 'running');
    const queued = controllable(log, 'queued');
    const signal = new AbortController().signal;
    const first = admission.run(signal, running.task);
    const second = admission.run(signal, queued.task);
    const refused = await admission.run(signal, async () => 'never').catch((error: unknown) => error);
    assert.ok(refused instanceof OverloadedError);
    assert.equal(refused.code, 'overloaded');
    assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60);
    running.finish();
    queued.finish();
    await Promise.all([first, second]);
  });

  it('drops a queued task whose signal aborts: it never starts and rejects with the abort reason', async () => {
    const admission = createAdmissionController({ maxConcurrent: 1, maxQueued: 5 });
    const log: string[] = [];
    const running = controllable(log, 'running');
    const queued = controllable(log, 'queued');
    const first = admission.run(new AbortController().signal, running.task);
    const controller = new AbortController();
    const second = admission.run(controller.signal, queued.task);
    await tick();
    assert.equal(admission.queued, 1);
    controller.abort(new AbortedError('client went away'));
    await assert.rejects(second, (error: unknown) => error instanceof AbortedError && error.message === 'client went away');
    assert.equal(admission.queued, 0);
    running.finish();
    await first;
    await tick();
    assert.deepEqual(log, ['start running', 'end running']);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const admission = createAdmissionController({ maxConcurrent: 1, maxQueued: 1 });
    const controller = new AbortController();
    controller.abort();
    let started = false;
    await assert.rejects(
      admission.run(controller.signal, async () => (started = true)),
      (error: unknown) => error instanceof AbortedError,
    );
    assert.equal(started, false);
  });

  it('frees the slot when a task fails', async () => {
    const admission = createAdmissionController({ maxConcurrent: 1, maxQueued: 0 });
    const signal = new AbortController().signal;
    await assert.rejects(admission.run(signal, async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(admission.running, 0);
    assert.equal(await admission.run(signal, async () => 'next'), 'next');
  });
});
