// A local OpenAI-compatible chat server for `kb ask` tests: real HTTP on 127.0.0.1, streaming server-sent events.
// The LLM itself cannot run here; the wire shape copies llama.cpp's llama-server streaming output
// (ggml-org/llama.cpp tools/server/README.md, "POST /v1/chat/completions"): `chat.completion.chunk` objects in
// `data:` lines, the first delta carrying the role, a final chunk with `finish_reason`, then `data: [DONE]`.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedChatRequest {
  path: string;
  authorization: string | undefined;
  body: { model?: string; stream?: boolean; messages: Array<{ role: string; content: string }> };
}

export interface FakeChatServer {
  url: string;
  requests: RecordedChatRequest[];
  close(): Promise<void>;
}

/** `reply(request)` gives the answer text; it is streamed in pieces of a few characters. */
export async function startFakeChatServer(reply: (request: RecordedChatRequest) => string, modelName = 'fake-llm'): Promise<FakeChatServer> {
  const requests: RecordedChatRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: modelName, object: 'model', owned_by: 'llamacpp' }] }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const recorded: RecordedChatRequest = { path: req.url, authorization: req.headers.authorization, body: JSON.parse(await readBody(req)) as RecordedChatRequest['body'] };
    requests.push(recorded);
    const text = reply(recorded);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: object, finish: string | null): string =>
      `data: ${JSON.stringify({ choices: [{ finish_reason: finish, index: 0, delta }], created: 1700000000, id: 'chatcmpl-test', model: recorded.body.model ?? modelName, system_fingerprint: 'b0000', object: 'chat.completion.chunk' })}\n\n`;
    res.write(chunk({ role: 'assistant', content: null }, null));
    for (let i = 0; i < text.length; i += 4) {
      res.write(chunk({ content: text.slice(i, i + 4) }, null));
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (piece: string) => (body += piece));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
