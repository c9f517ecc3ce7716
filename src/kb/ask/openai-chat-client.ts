import { AbortedError, EngineUnavailableError, InvalidInputError } from '../../spec/errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatEndpointOptions {
  /** Server base URL (`http://127.0.0.1:8080`), its `/v1`, or the full `/v1/chat/completions` URL. */
  url: string;
  /** Model name sent in the request. Default: the first model the server lists at `GET /v1/models`. */
  model?: string;
  /** Sent as `Authorization: Bearer …`. Default: none. */
  apiKey?: string;
  /** Sampling temperature. Default: the server's. */
  temperature?: number;
  /** Answer length limit in tokens. Default: the server's. */
  maxTokens?: number;
}

export interface StreamChatOptions {
  signal?: AbortSignal;
  /** Called with each piece of text as it arrives. */
  onText?: (text: string) => void;
}

/**
 * Streams a chat completion from an OpenAI-compatible server (OpenAI, vLLM, llama.cpp's llama-server, Ollama,
 * LM Studio) and returns the full text. Wire format: `POST /v1/chat/completions` with `stream: true`, answered by
 * server-sent events whose `data:` lines carry `chat.completion.chunk` objects (text in
 * `choices[0].delta.content`) and end with `data: [DONE]`
 * (https://platform.openai.com/docs/api-reference/chat-streaming).
 */
export async function streamChatCompletion(endpoint: ChatEndpointOptions, messages: readonly ChatMessage[], options: StreamChatOptions = {}): Promise<string> {
  const base = apiBase(endpoint.url);
  const model = endpoint.model ?? (await firstListedModel(base, endpoint.apiKey, options.signal));
  const body = {
    ...(model === undefined ? {} : { model }),
    messages,
    stream: true,
    ...(endpoint.temperature === undefined ? {} : { temperature: endpoint.temperature }),
    ...(endpoint.maxTokens === undefined ? {} : { max_tokens: endpoint.maxTokens }),
  };
  const response = await request(`${base}/chat/completions`, { method: 'POST', headers: headers(endpoint.apiKey, true), body: JSON.stringify(body) }, options.signal);
  if (!response.ok || !response.body) {
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    throw new EngineUnavailableError(`LLM endpoint answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`, { retryable: response.status >= 500 });
  }
  let answer = '';
  try {
    for await (const data of serverSentData(response.body)) {
      if (data === '[DONE]') break;
      const text = deltaText(data);
      if (text) {
        answer += text;
        options.onText?.(text);
      }
    }
  } catch (error) {
    if (options.signal?.aborted) throw new AbortedError('the answer was cancelled', { cause: error });
    throw new EngineUnavailableError(`LLM stream failed: ${(error as Error).message}`, { cause: error });
  }
  return answer;
}

/** `…/v1` for any accepted form of the URL. */
export function apiBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidInputError('llmUrl', `invalid LLM URL "${url}"`, { cause: error });
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
  parsed.pathname = path.endsWith('/v1') ? path : `${path}/v1`;
  return parsed.toString().replace(/\/$/, '');
}

function headers(apiKey: string | undefined, json: boolean): Record<string, string> {
  return { ...(json ? { 'content-type': 'application/json', accept: 'text/event-stream' } : {}), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
}

async function request(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
  try {
    return await fetch(url, { ...init, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw new AbortedError('the answer was cancelled', { cause: error });
    throw new EngineUnavailableError(`cannot reach the LLM at ${url}: ${(error as Error).message}`, { cause: error });
  }
}

/** `GET /v1/models` → `data[0].id` (https://platform.openai.com/docs/api-reference/models/list). */
async function firstListedModel(base: string, apiKey: string | undefined, signal: AbortSignal | undefined): Promise<string | undefined> {
  const response = await request(`${base}/models`, { headers: headers(apiKey, false) }, signal);
  if (!response.ok) return undefined;
  const listing = (await response.json().catch(() => undefined)) as { data?: Array<{ id?: unknown }> } | undefined;
  const id = listing?.data?.[0]?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The `data` payloads of a server-sent event stream (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * events end at a blank line, multi-line data is joined with `\n`, comment lines start with `:`.
 */
async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
  if (data.length > 0) yield data.join('\n');
}

/** Text of one chunk; servers that fail mid-stream send `{"error": {"message": …}}` (vLLM, llama-server). */
function deltaText(data: string): string {
  let chunk: { choices?: Array<{ delta?: { content?: unknown } }>; error?: { message?: unknown } };
  try {
    chunk = JSON.parse(data) as typeof chunk;
  } catch {
    return '';
  }
  if (chunk.error) throw new EngineUnavailableError(typeof chunk.error.message === 'string' ? chunk.error.message : JSON.stringify(chunk.error));
  const content = chunk.choices?.[0]?.delta?.content;
  return typeof content === 'string' ? content : '';
}
