import type { EngineScore, ScoreGroupOptions } from '../../spec/engine.js';
import { AbortedError } from '../../spec/errors.js';
import type { PlannedPrompt } from '../../core/prompt-plan.js';
import type { PromptPlanner } from './prompt-tokens.js';

/** One prompt to score. `groupId` identifies prompts that share `tokens[0:sharedLength]`. */
export interface ScoreJob {
  groupId: number;
  tokens: readonly number[];
  sharedLength: number;
  resolve(logit: number): void;
  reject(error: unknown): void;
}

/**
 * Where a job's evaluation starts when its first `reusable` tokens are already evaluated (a query's shared prefix,
 * or whatever a sequence already holds): at least the last token is always evaluated, since it carries the answer.
 */
export function evaluatedFrom(job: ScoreJob, reusable: number): number {
  return Math.min(reusable, job.tokens.length - 1);
}

/** Where a local engine queues prompts: it evaluates them in its own order and settles each job. */
export interface ScoreJobQueue {
  submit(jobs: readonly ScoreJob[]): void;
  /** Drops a group's queued jobs (request cancelled or failed), rejecting them with `error`. */
  cancelGroup(groupId: number, error: unknown): void;
}

/**
 * Submits every prompt of a group as one job and resolves with one score per document, in input order: windows
 * of a document are combined when its last window is done (then `onScored` fires), the first failure or an abort
 * rejects the whole group and drops its queued jobs.
 */
export function scoreThroughQueue(
  queue: ScoreJobQueue,
  groupId: number,
  plans: readonly PlannedPrompt[][],
  planner: PromptPlanner,
  options: ScoreGroupOptions,
): Promise<EngineScore[]> {
  return new Promise<EngineScore[]>((resolve, reject) => {
    const results = new Array<EngineScore>(plans.length);
    let remaining = plans.length;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      options.signal?.removeEventListener('abort', onAbort);
      queue.cancelGroup(groupId, error);
      reject(error);
    };
    const onAbort = () => fail(new AbortedError('the request was cancelled', { cause: options.signal?.reason }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (remaining === 0) return resolve(results);

    const jobs: ScoreJob[] = [];
    plans.forEach((prompts, documentIndex) => {
      const logits = new Array<number>(prompts.length);
      let windowsLeft = prompts.length;
      prompts.forEach((prompt, w) => {
        jobs.push({
          groupId,
          tokens: prompt.tokens,
          sharedLength: prompt.sharedLength,
          reject: fail,
          resolve: (logit) => {
            if (failed) return;
            logits[w] = logit;
            if (--windowsLeft > 0) return;
            results[documentIndex] = planner.combineWindows(prompts, logits);
            try {
              options.onScored?.(documentIndex);
            } catch (error) {
              // The caller's progress callback threw (the facade turns that into a CallbackError): this group
              // fails, its queued jobs are dropped; the engine, which called `resolve`, is not disturbed.
              fail(error);
              return;
            }
            if (--remaining === 0) {
              options.signal?.removeEventListener('abort', onAbort);
              resolve(results);
            }
          },
        });
      });
    });
    queue.submit(jobs);
  });
}
