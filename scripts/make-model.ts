// Generates a random-weight test model and prints its path.
// Usage: tsx scripts/make-model.ts --variant <one of testModelVariants in test/helpers/test-models.ts> [--out FILE]
// Without --out the model goes to the shared cache (.cache/models/), reused while the generator is unchanged.
import { parseArgs } from 'node:util';
import { writeQwen3Gguf } from '../test/helpers/gguf/qwen3-model.js';
import { ensureTestModel, testModelVariants, type TestModelVariant } from '../test/helpers/test-models.js';

function isVariant(value: string): value is TestModelVariant {
  return Object.hasOwn(testModelVariants, value);
}

function progressLine(started: number): (written: number, total: number) => void {
  let lastPercent = -1;
  return (written, total) => {
    const percent = Math.floor((written / total) * 100);
    if (percent === lastPercent) return;
    lastPercent = percent;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\rwriting ${(written / 2 ** 20).toFixed(0)}/${(total / 2 ** 20).toFixed(0)} MB (${percent}%) ${seconds}s`);
    if (written === total) process.stderr.write('\n');
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { variant: { type: 'string', default: 'tiny' }, out: { type: 'string' } },
    strict: true,
  });
  const variant = values.variant ?? 'tiny';
  if (!isVariant(variant)) {
    throw new Error(`unknown --variant ${variant}; expected one of ${Object.keys(testModelVariants).join(', ')}`);
  }
  const started = performance.now();
  const onProgress = variant.startsWith('full') || variant.startsWith('real') ? progressLine(started) : undefined;
  const progress = onProgress ? { onProgress } : {};
  let path: string;
  if (values.out) {
    await writeQwen3Gguf(values.out, { ...testModelVariants[variant], ...progress });
    path = values.out;
  } else {
    path = await ensureTestModel(variant, progress);
  }
  process.stdout.write(`${path}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`make-model: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
