import { Type } from 'typebox';

/** `/health` and `/ready` (src/server/routes/status-routes.ts). */
export const HealthResponse = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('draining')]) });

export const ReadyResponse = Type.Object({
  status: Type.Literal('ready'),
  model: Type.String({ description: 'The served model name (never a file path)' }),
  served_model_names: Type.Array(Type.String(), { description: 'Every name the server answers to (--served-model-name)' }),
  engine: Type.String(),
  device: Type.String(),
  demo: Type.Boolean({ description: 'True for a generated random-weight demo model: its scores mean nothing' }),
  load_time_ms: Type.Number(),
  max_context_tokens: Type.Integer(),
  engine_status: Type.Record(Type.String(), Type.Unknown()),
});

export const NotReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('loading'), Type.Literal('failed'), Type.Literal('unavailable'), Type.Literal('draining')], {
    description: '`unavailable`: the model is loaded but the engine cannot score now (see `error.message`)',
  }),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  engine_status: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
