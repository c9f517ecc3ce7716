import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_MODEL, KNOWN_MODELS, knownModelUri, defaultModelsDir, findDownloadedModel } from '../../index.js';
import { action } from '../util.js';

interface ModelsCliOptions {
  json?: boolean;
  modelsDir?: string;
}

interface ModelRow {
  name: string;
  sizeClass: string;
  quantization: string;
  approximateBytes: number;
  uri: string;
  isDefault: boolean;
  /** Local path when downloaded, else null. */
  path: string | null;
}

export function registerModelsCommand(program: Command): void {
  program
    .command('models')
    .description('list known Qwen3-Reranker GGUFs (size, quantizations, hf: URI) and which are downloaded')
    .option('--json', 'print JSON instead of a table')
    .option('--models-dir <dir>', 'where downloaded models are kept (default: $QWEN_RANKER_MODELS_DIR or ~/.cache/qwen-ranker/models)')
    .action(action(runModels));
}

async function runModels(options: ModelsCliOptions): Promise<void> {
  const modelsDir = resolve(options.modelsDir ?? defaultModelsDir());
  const rows: ModelRow[] = [];
  for (const model of KNOWN_MODELS) {
    for (const quantization of model.quantizations) {
      const uri = knownModelUri(model, quantization.name);
      rows.push({
        name: model.name,
        sizeClass: model.sizeClass,
        quantization: quantization.name,
        approximateBytes: Math.round(quantization.approximateBytes),
        uri,
        isDefault: uri === DEFAULT_MODEL,
        path: (await findDownloadedModel(uri, modelsDir)) ?? null,
      });
    }
  }
  process.stdout.write(options.json ? `${JSON.stringify({ modelsDir, default: DEFAULT_MODEL, models: rows })}\n` : formatTable(rows, modelsDir));
}

function formatTable(rows: readonly ModelRow[], modelsDir: string): string {
  const header = ['MODEL', 'SIZE', 'QUANT', 'APPROX', 'DOWNLOADED', 'URI'];
  const cells = rows.map((row) => [
    row.name,
    row.sizeClass,
    row.quantization,
    formatBytes(row.approximateBytes),
    row.path === null ? 'no' : 'yes',
    row.isDefault ? `${row.uri} (default)` : row.uri,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  const render = (line: readonly string[]) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return `${[header, ...cells].map(render).join('\n')}\n\nmodels directory: ${modelsDir}\n`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
