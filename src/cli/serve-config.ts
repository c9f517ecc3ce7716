import { Type, type Static, type TInteger } from 'typebox';
import { Value } from 'typebox/value';
import { ENGINE_KINDS, InvalidInputError } from '../index.js';
import { SERVER_LIMIT_SETTINGS, type ServerLimitName } from '../server/index.js';
import { readInputFile } from './read-input.js';

const PositiveInteger = Type.Integer({ minimum: 1 });
const NonNegativeInteger = Type.Integer({ minimum: 0 });

/**
 * `qwen-ranker serve --config FILE`: a JSON file for what is tedious on a command line (a fleet of endpoints and
 * its tuning, server limits). Command-line flags win over the file. Strict: an unknown key is an error, so a typo
 * never silently falls back to a default.
 */
export const ServeConfigSchema = Type.Object(
  {
    model: Type.Optional(Type.String({ description: 'GGUF path / hf: URI (local engine) or the model name sent to a remote engine' })),
    engine: Type.Optional(Type.Union(ENGINE_KINDS.map((kind) => Type.Literal(kind)))),
    endpoints: Type.Optional(Type.Array(Type.String({ pattern: '^https?://' }), { minItems: 1 })),
    engineApiKey: Type.Optional(Type.String()),
    remote: Type.Optional(
      Type.Object(
        {
          timeoutMs: Type.Optional(PositiveInteger),
          maxRetries: Type.Optional(NonNegativeInteger),
          maxDocumentsPerRequest: Type.Optional(PositiveInteger),
          maxTokensPerRequest: Type.Optional(PositiveInteger),
          healthCheckIntervalMs: Type.Optional(PositiveInteger),
          maxConcurrentRequestsPerEndpoint: Type.Optional(PositiveInteger),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Optional(
      Type.Partial(
        Type.Object(
          Object.fromEntries(
            Object.entries(SERVER_LIMIT_SETTINGS).map(([name, setting]) => [
              name,
              Type.Integer({ minimum: setting.minimum, description: `${setting.description}. Default: ${setting.default}` }),
            ]),
          ) as Record<ServerLimitName, TInteger>,
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

export type ServeConfig = Static<typeof ServeConfigSchema>;

/** Reads and validates a serve config file; errors name the file and the JSON path of the bad value. */
export async function readServeConfig(path: string): Promise<ServeConfig> {
  const text = await readInputFile(path, '--config');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('--config', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const error = [...Value.Errors(ServeConfigSchema, value)].find((e) => e.keyword !== 'boolean');
  if (error) {
    const where = error.keyword === 'additionalProperties' ? `${error.instancePath}/${String((error.params as { additionalProperties?: string[] }).additionalProperties?.[0] ?? '')}` : error.instancePath || '/';
    throw new InvalidInputError(`--config:${where}`, `${path}: ${where} ${error.keyword === 'additionalProperties' ? 'is not a known setting' : error.message}`);
  }
  return value as ServeConfig;
}
