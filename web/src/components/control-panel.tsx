/** The left panel's inputs: query, instruction, documents, top-N, minimum score, long documents, evidence, compare mode. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { INSTRUCTION_PRESETS, presetIdOf } from '../instruction-presets.js';
import { DocumentsField } from './documents-field.js';

/** Two instructions or two queries over the same documents. (Two models would need a server with more than one;
 * `qwen-ranker serve` serves one.) */
export type CompareMode = 'off' | 'instruction' | 'query';

export interface WorkbenchForm {
  query: string;
  instruction: string;
  documentsText: string;
  /** 0 = all. */
  topN: number;
  minScore: number;
  /** Prompt token limit (`max_length`); 0 = the server's default. */
  maxLength: number;
  longDocuments: 'truncate' | 'windows';
  /** Best sentences to mark in each document (`evidence`); 0 = off. */
  evidence: number;
  compare: CompareMode;
  queryB: string;
  instructionB: string;
}

/** Evidence spans per document the page offers; more than a few marks make a card hard to read. */
const EVIDENCE_CHOICES = [1, 2, 3, 4, 5] as const;

export interface ControlPanelProps {
  form: WorkbenchForm;
  onChange: (patch: Partial<WorkbenchForm>) => void;
  onImportError: (message: string) => void;
  children?: ComponentChildren;
}

export function ControlPanel({ form, onChange, onImportError, children }: ControlPanelProps) {
  return (
    <div class="control-panel">
      <div class="field">
        <label for="query" class="field-label">Query{form.compare === 'query' && <span class="side-tag">A</span>}</label>
        <textarea id="query" rows={2} value={form.query} placeholder="What the user searched for" onInput={(e) => onChange({ query: e.currentTarget.value })} />
      </div>
      {form.compare === 'query' && (
        <div class="field compare-field">
          <label for="query-b" class="field-label">Query <span class="side-tag">B</span></label>
          <textarea id="query-b" rows={2} value={form.queryB} placeholder="A second query, e.g. a near miss" onInput={(e) => onChange({ queryB: e.currentTarget.value })} />
        </div>
      )}
      <InstructionField
        id="instruction"
        side={form.compare === 'instruction' ? 'A' : null}
        value={form.instruction}
        onChange={(instruction) => onChange({ instruction })}
      />
      {form.compare === 'instruction' && (
        <InstructionField id="instruction-b" side="B" value={form.instructionB} onChange={(instructionB) => onChange({ instructionB })} />
      )}
      <DocumentsField value={form.documentsText} onChange={(documentsText) => onChange({ documentsText })} onImportError={onImportError} />
      <div class="field-row">
        <label class="field small-field">
          <span class="field-label">Top N</span>
          <NumberField id="top-n" value={form.topN} step={1} title="Show only the best N (empty or 0 = all)" placeholder="all"
            toValue={(n) => Math.max(0, Math.floor(n))} onValue={(topN) => onChange({ topN })} />
        </label>
        <label class="field small-field">
          <span class="field-label">Min score</span>
          <NumberField id="min-score" value={form.minScore} step={0.05} placeholder="0"
            title="Results under this score are dimmed. 0.5 is where the judge finds “yes” as likely as “no”."
            toValue={(n) => Math.min(1, Math.max(0, n))} onValue={(minScore) => onChange({ minScore })} />
        </label>
        <label class="field small-field">
          <span class="field-label">Max tokens</span>
          <NumberField id="max-length" value={form.maxLength} step={256} placeholder="8192"
            title="Prompt token limit (instruction + query + document); empty = the server default"
            toValue={(n) => Math.max(0, Math.floor(n))} onValue={(maxLength) => onChange({ maxLength })} />
        </label>
        <label class="field small-field">
          <span class="field-label">Long documents</span>
          <select id="long-documents" title="Documents longer than the context: cut the end, or score overlapping windows and keep the best" value={form.longDocuments} onChange={(e) => onChange({ longDocuments: e.currentTarget.value as WorkbenchForm['longDocuments'] })}>
            <option value="truncate">truncate</option>
            <option value="windows">best window</option>
          </select>
        </label>
      </div>
      <div class="field-row">
        <label class="field small-field">
          <span class="field-label">Evidence</span>
          <select id="evidence" title="Mark each document's best sentences, each scored by the model as a document of its own (costs a scoring per sentence)"
            value={form.evidence} onChange={(e) => onChange({ evidence: Number(e.currentTarget.value) })}>
            <option value={0}>off</option>
            {EVIDENCE_CHOICES.map((n) => <option key={n} value={n}>best {n}</option>)}
          </select>
        </label>
        <label class="field small-field">
          <span class="field-label">Compare</span>
          <select id="compare" value={form.compare} onChange={(e) => onChange({ compare: e.currentTarget.value as CompareMode })}>
            <option value="off">off: one ranking</option>
            <option value="instruction">two instructions</option>
            <option value="query">two queries</option>
          </select>
        </label>
      </div>
      {children}
    </div>
  );
}

interface InstructionFieldProps {
  id: string;
  side: 'A' | 'B' | null;
  value: string;
  onChange: (value: string) => void;
}

function InstructionField({ id, side, value, onChange }: InstructionFieldProps) {
  const presetId = presetIdOf(value);
  return (
    <div class={`field${side === 'B' ? ' compare-field' : ''}`}>
      <label for={id} class="field-label">Instruction{side && <span class="side-tag">{side}</span>}</label>
      <select
        id={`${id}-preset`}
        aria-label={`Instruction preset${side ? ` ${side}` : ''}`}
        value={presetId}
        onChange={(e) => {
          const preset = INSTRUCTION_PRESETS.find((p) => p.id === e.currentTarget.value);
          if (preset) onChange(preset.instruction);
        }}
      >
        {INSTRUCTION_PRESETS.map((preset) => <option key={preset.id} value={preset.id}>{preset.label}</option>)}
        <option value="custom" disabled={presetId !== 'custom'}>Custom (edit below)</option>
      </select>
      <textarea id={id} rows={2} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
    </div>
  );
}

interface NumberFieldProps {
  id: string;
  /** 0 shows as an empty box (the placeholder says what 0 means). */
  value: number;
  step: number;
  title: string;
  placeholder: string;
  /** Clamps and rounds what was typed. */
  toValue: (typed: number) => number;
  onValue: (value: number) => void;
}

/**
 * A number box that applies each keystroke (so Ctrl+Enter right after typing uses the new value) without
 * fighting the user: it keeps the typed text ("0.") and rewrites it only when the value changes elsewhere or was
 * clamped.
 */
function NumberField({ id, value, step, title, placeholder, toValue, onValue }: NumberFieldProps) {
  const [text, setText] = useState(value === 0 ? '' : String(value));
  useEffect(() => {
    if ((text.trim() === '' ? 0 : Number(text)) !== value) setText(value === 0 ? '' : String(value));
  }, [value]);
  return (
    <input
      type="number"
      id={id}
      min={0}
      step={step}
      value={text}
      title={title}
      placeholder={placeholder}
      onInput={(event) => {
        const typed = event.currentTarget.value;
        setText(typed);
        const number = typed.trim() === '' ? 0 : Number(typed);
        if (Number.isFinite(number)) onValue(toValue(number));
      }}
    />
  );
}
