/** The control panel's form, kept in localStorage so that a reload keeps the user's work. */
import { useEffect, useState } from 'preact/hooks';
import type { WorkbenchForm } from './components/control-panel.js';
import { INSTRUCTION_PRESETS } from './instruction-presets.js';
import { DEFAULT_INSTRUCTION } from '../../src/spec/types.js';

const FORM_STORAGE_KEY = 'qwen-ranker.workbench-form';
const DEFAULT_FORM: WorkbenchForm = {
  query: '',
  instruction: DEFAULT_INSTRUCTION,
  documentsText: '',
  topN: 0,
  minScore: 0.5,
  maxLength: 0,
  longDocuments: 'truncate',
  evidence: 0,
  compare: 'off',
  queryB: '',
  instructionB: (INSTRUCTION_PRESETS[1] as { instruction: string }).instruction,
};

/** The form and a function that merges a patch into it. */
export function useWorkbenchForm(): [WorkbenchForm, (patch: Partial<WorkbenchForm>) => void] {
  const [form, setForm] = useState<WorkbenchForm>(loadForm);
  useEffect(() => localStorage.setItem(FORM_STORAGE_KEY, JSON.stringify(form)), [form]);
  return [form, (patch) => setForm((current) => ({ ...current, ...patch }))];
}

/** The last form from localStorage; unknown or broken entries are ignored. */
function loadForm(): WorkbenchForm {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(FORM_STORAGE_KEY) ?? 'null');
    if (typeof stored !== 'object' || stored === null) return DEFAULT_FORM;
    const entries = Object.entries(stored).filter(([key, value]) => key in DEFAULT_FORM && typeof value === typeof DEFAULT_FORM[key as keyof WorkbenchForm]);
    return { ...DEFAULT_FORM, ...Object.fromEntries(entries) };
  } catch {
    return DEFAULT_FORM;
  }
}
