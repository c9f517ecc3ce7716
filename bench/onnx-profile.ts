// `npm run bench -- profile`: where the ONNX engine's time goes, by layer and role. onnxruntime's profiler records
// each kernel run under its node's name, and the graph names nodes as onnxruntime-genai does
// (`/model/layers.{i}/attn/qkv_proj/MatMulNBits`, qwen3-graph.ts), so the profile sums by role and by layer.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReranker } from '../src/index.js';

/** One kernel run of onnxruntime's profile: its node, operator and time. */
export interface KernelTime {
  node: string;
  operator: string;
  milliseconds: number;
}

/** onnxruntime's profile event (a Chrome trace event; kernels are `cat: "Node"`, named `<node>_kernel_time`). */
interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

const KERNEL_SUFFIX = '_kernel_time';
const CONTROL_FLOW = new Set(['Loop', 'If']);

/** Runs `rerank(query, documents)` on a profiling ONNX engine (`threads` default: physical cores) and returns
 * every kernel run of the profile it writes on close. */
export async function profileOnnxRerank(modelPath: string, query: string, documents: readonly string[], threads?: number): Promise<KernelTime[]> {
  const name = `qwen-ranker-onnx-profile-${process.pid}-${Date.now()}`;
  const ranker = await createReranker({ model: modelPath, engine: 'onnx', cacheSize: 0, profileFilePrefix: join(tmpdir(), name), ...(threads ? { threads } : {}) });
  await ranker.rerank(query, [...documents]);
  await ranker.close();
  const file = readdirSync(tmpdir()).find((entry) => entry.startsWith(name));
  if (!file) return [];
  const events = JSON.parse(readFileSync(join(tmpdir(), file), 'utf8')) as ProfileEvent[];
  rmSync(join(tmpdir(), file));
  return events
    .filter((event) => event.cat === 'Node' && event.name.endsWith(KERNEL_SUFFIX))
    // A Loop's or an If's time is its subgraph's nodes' time, which the profile records under their own names.
    .filter((event) => !CONTROL_FLOW.has(event.args?.op_name ?? ''))
    .map((event) => ({ node: event.name.slice(0, -KERNEL_SUFFIX.length), operator: event.args?.op_name ?? 'unknown', milliseconds: event.dur / 1000 }));
}

const ROLES = ['attention', 'MLP', 'norms', 'head', 'residual adds', 'other'] as const;
type Role = (typeof ROLES)[number];

/** A node's layer (if in one), its component (`attn/qkv_proj`, `model/norm`) and role, from its scoped name. */
export function classifyNode(node: string): { layer?: number; component: string; role: Role } {
  const inLayer = /^\/model\/layers\.(\d+)\/(.+)\/[^/]+$/.exec(node);
  if (inLayer) {
    const component = inLayer[2]!;
    const role: Role = component.startsWith('attn') ? 'attention' : component.startsWith('mlp') ? 'MLP' : component.endsWith('layernorm') ? 'norms' : component === 'residual' ? 'residual adds' : 'other';
    return { layer: Number(inLayer[1]), component, role };
  }
  const component = node.slice(1, node.lastIndexOf('/'));
  const role: Role = component === 'model/norm' ? 'norms' : component === 'lm_head' ? 'head' : component === 'model/attn_blocks' ? 'attention' : 'other';
  return { component: component || node, role };
}

/** The llama.cpp-style q8_0 activation scaling in front of each quantized product (qwen3-graph.ts
 * `llamaActivationScales`): every operator of a `*_proj` scope but the product itself and the split/gather. */
const PRODUCT_OPERATORS = new Set(['MatMulNBits', 'MatMul', 'Split', 'Gather']);

/** Profiles a rerank of a few SciFact abstracts on the full-size model and formats the time by role and layer. */
export async function runOnnxProfile(modelPath: string): Promise<{ markdown: string }> {
  const documentCount = 8;
  const characters = 800; // about 200 tokens of English
  const scifact = new URL('../../shared/data/scifact/', import.meta.url);
  const corpus = readFileSync(new URL('corpus.jsonl', scifact), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { text: string }).text);
  const documents = corpus.filter((text) => text.length >= characters).slice(0, documentCount).map((text) => text.slice(0, characters));
  const query = (JSON.parse(readFileSync(new URL('queries.jsonl', scifact), 'utf8').split('\n')[0]!) as { text: string }).text;
  process.stderr.write(`bench: onnxruntime profile of ${documentCount} documents × ${characters} characters…\n`);
  const loadBefore = loadavg()[0]!;
  const kernels = await profileOnnxRerank(modelPath, query, documents);
  const load = `${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
  return { markdown: formatProfile(kernels, documentCount, characters, load) };
}

function formatProfile(kernels: readonly KernelTime[], documentCount: number, characters: number, load: string): string {
  const total = kernels.reduce((sum, k) => sum + k.milliseconds, 0);
  const percent = (ms: number) => `${((100 * ms) / total).toFixed(1)}%`;
  const byRole = new Map<Role, number>();
  const byComponent = new Map<string, { role: Role; milliseconds: number; scaling: number }>();
  const byLayer = new Map<number, number>();
  for (const kernel of kernels) {
    const { layer, component, role } = classifyNode(kernel.node);
    byRole.set(role, (byRole.get(role) ?? 0) + kernel.milliseconds);
    const entry = byComponent.get(component) ?? { role, milliseconds: 0, scaling: 0 };
    entry.milliseconds += kernel.milliseconds;
    if (component.endsWith('_proj') && !PRODUCT_OPERATORS.has(kernel.operator)) entry.scaling += kernel.milliseconds;
    byComponent.set(component, entry);
    if (layer !== undefined) byLayer.set(layer, (byLayer.get(layer) ?? 0) + kernel.milliseconds);
  }
  const layers = [...byLayer.values()].sort((a, b) => a - b);
  const lines = [
    `One \`rerank\` of ${documentCount} SciFact abstracts cut to ${characters} characters (about 200 tokens each) on the ONNX engine, threads = physical cores,`,
    "with onnxruntime's profiler on: kernel time summed by the role in each node's name (qwen3-graph.ts scopes, named as onnxruntime-genai names",
    `them). Total kernel time ${total.toFixed(0)} ms over ${kernels.length} kernel runs; per layer (${layers.length} layers) min ${layers[0]?.toFixed(1) ?? '–'} ms, median ${layers[layers.length >> 1]?.toFixed(1) ?? '–'} ms, max ${layers.at(-1)?.toFixed(1) ?? '–'} ms`,
    `(the last layer, which runs only each document's last token after attention, is the cheapest). Machine load (1-minute load average): ${load}:`,
    'on a shared CPU the milliseconds vary from run to run, the shares much less.',
    '',
    '| role | ms | share | ms per layer |',
    '|---|---:|---:|---:|',
    ...ROLES.filter((role) => byRole.has(role)).map((role) => {
      const ms = byRole.get(role)!;
      const perLayer = ['attention', 'MLP', 'norms', 'residual adds'].includes(role) && layers.length > 0 ? (ms / layers.length).toFixed(1) : '–';
      return `| ${role} | ${ms.toFixed(0)} | ${percent(ms)} | ${perLayer} |`;
    }),
    '',
    'By component (summed over layers); "q8 scaling" is the part spent rescaling activations to llama.cpp\'s fp16 block scales before each quantized product:',
    '',
    '| component | role | ms | share | of which q8 scaling |',
    '|---|---|---:|---:|---:|',
    ...[...byComponent]
      .sort((a, b) => b[1].milliseconds - a[1].milliseconds)
      .map(([component, { role, milliseconds, scaling }]) => `| ${component === 'attn' ? 'attn (GroupQueryAttention)' : component} | ${role} | ${milliseconds.toFixed(0)} | ${percent(milliseconds)} | ${scaling > 0 ? `${scaling.toFixed(0)} ms` : '–'} |`),
  ];
  return lines.join('\n');
}
