/** The state of a rerank run: running, progress, cancel, results (one run or two compared), error and notice. */
import { useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api-client.js';
import type { WorkbenchForm } from './components/control-panel.js';
import { INSTRUCTION_PRESETS } from './instruction-presets.js';
import { documentsFromText } from './parse-documents.js';
import { runRerank, type RerankJob, type RerankOutcome } from './run-rerank.js';

export interface LabelledRun {
  label: string;
  query: string;
  outcome: RerankOutcome;
}

export type RunResult = { mode: 'single'; run: LabelledRun } | { mode: 'compare'; a: LabelledRun; b: LabelledRun };

export interface RunProgress {
  done: number;
  total: number;
}

export interface RerankRun {
  result: RunResult | null;
  /** Set while a run is in progress. */
  progress: RunProgress | null;
  error: Error | null;
  notice: string | null;
  /** Finished runs (results, error or cancel): lets scripts and tests wait for a run to end. */
  finishedRuns: number;
  /** Starts a run of `form` (one job, or two in compare mode); ignored while one is running. */
  run: (form: WorkbenchForm) => Promise<void>;
  cancel: () => void;
  setError: (error: Error | null) => void;
}

export function useRerankRun(client: ApiClient): RerankRun {
  const [result, setResult] = useState<RunResult | null>(null);
  const [progress, setProgress] = useState<RunProgress | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [finishedRuns, setFinishedRuns] = useState(0);
  const running = useRef<AbortController | null>(null);

  async function run(form: WorkbenchForm): Promise<void> {
    if (running.current) return;
    const documents = documentsFromText(form.documentsText);
    const jobs = jobsOf(form, documents);
    const controller = new AbortController();
    running.current = controller;
    setError(null);
    setNotice(null);
    const done = jobs.map(() => 0);
    const total = documents.length * jobs.length;
    setProgress({ done: 0, total });
    try {
      const runs = await Promise.all(jobs.map(async ({ label, job }, i): Promise<LabelledRun> => {
        const outcome = await runRerank(client, job, {
          signal: controller.signal,
          onProgress: (count) => {
            done[i] = count;
            setProgress({ done: done.reduce((sum, n) => sum + n, 0), total });
          },
        });
        return { label, query: job.query, outcome };
      }));
      setResult(runs.length === 1 ? { mode: 'single', run: runs[0] as LabelledRun } : { mode: 'compare', a: runs[0] as LabelledRun, b: runs[1] as LabelledRun });
    } catch (caught) {
      if (controller.signal.aborted) {
        setNotice(`Cancelled after ${done.reduce((sum, n) => sum + n, 0)} of ${total} documents were scored.`);
      } else {
        controller.abort();
        setError(caught instanceof Error ? caught : new Error(String(caught)));
      }
    } finally {
      running.current = null;
      setProgress(null);
      setFinishedRuns((n) => n + 1);
    }
  }

  return { result, progress, error, notice, finishedRuns, run, cancel: () => running.current?.abort(), setError };
}

/** One job, or two (A and B) in compare mode, each with the label the results show. */
function jobsOf(form: WorkbenchForm, documents: readonly string[]): Array<{ label: string; job: RerankJob }> {
  const base: RerankJob = {
    query: form.query,
    documents,
    instruction: form.instruction,
    maxLength: form.maxLength || undefined,
    longDocuments: form.longDocuments,
    evidence: form.evidence || undefined,
  };
  if (form.compare === 'instruction') {
    return [
      { label: instructionLabel(form.instruction), job: base },
      { label: instructionLabel(form.instructionB), job: { ...base, instruction: form.instructionB } },
    ];
  }
  if (form.compare === 'query') return [{ label: form.query, job: base }, { label: form.queryB, job: { ...base, query: form.queryB } }];
  return [{ label: form.query, job: base }];
}

function instructionLabel(instruction: string): string {
  const preset = INSTRUCTION_PRESETS.find((p) => p.instruction === instruction);
  if (preset) return preset.label;
  return instruction.length > 60 ? `${instruction.slice(0, 60)}…` : instruction || '(empty instruction)';
}
