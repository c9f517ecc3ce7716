import type { EngineRelevance } from '../../spec/engine.js';
import type { RemoteEngineKind } from '../../spec/types.js';
import type { EndpointError } from './http-request.js';

/** One HTTP request's worth of a scoring group: the documents of one (instruction, query). */
export interface RemoteBatch {
  instruction: string;
  query: string;
  documents: readonly string[];
  /** Prompt length limit in tokens (the facade's `maxLength`). */
  maxLength: number;
}

/** What a flavour reads from a successful response. */
export interface RemoteScores {
  /** What the server reported per document (a logit or a probability), in batch order. */
  relevance: EngineRelevance[];
  /** Prompt tokens of the whole batch, when the server reports them. */
  promptTokens: number | undefined;
}

/**
 * One server API: where to send a batch, how to write it and how to read the answer. Flavours hold no state and
 * never do I/O, so their request building and response parsing are tested against recorded fixtures.
 */
export interface RemoteFlavour {
  readonly kind: RemoteEngineKind;
  /** Scoring route, appended to each endpoint's base URL. */
  readonly scorePath: string;
  /** Liveness route, appended to each endpoint's base URL. */
  readonly healthPath: string;
  /** Throws `InvalidInputError('instruction', …)` when the server cannot apply this instruction. */
  checkInstruction(instruction: string): void;
  /** The JSON body for one batch. `model` is omitted from the body when undefined. */
  buildRequest(batch: RemoteBatch, model: string | undefined): unknown;
  /** True for an error answer that is the request's fault although its status says otherwise: it is not retried
   * elsewhere and does not count against the endpoint. */
  isRequestFault?(error: EndpointError): boolean;
  /** Reads a 2xx answer; throws `EndpointError` (`malformed`) when it does not score every document exactly once. */
  parseResponse(body: unknown, headers: Headers, documentCount: number): RemoteScores;
}
