import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that answers the way the Hugging Face Hub does for the calls our downloader makes (the Hub
 * itself cannot be reached here):
 * - `GET /api/models/<owner>/<repo>/tree/main` → `[{ type, oid, size, path, lfs: { oid, size, pointerSize } }]`
 *   (huggingface.js `packages/hub/src/lib/list-files.ts`, `ListFileEntry`);
 * - `HEAD|GET /<owner>/<repo>/resolve/main/<path>` → for LFS files `302` to the CDN with `X-Linked-Etag` (the
 *   SHA-256) and `X-Linked-Size` (huggingface_hub `file_download.py`, `get_hf_file_metadata`); for small files
 *   `200` with the bytes; `404` with `X-Error-Code: EntryNotFound` / `RepoNotFound` otherwise;
 * - `GET <cdn>/cdn/<sha256>` (another port) → the bytes, honouring `Range: bytes=<first>-` with `206` and `Content-Range`.
 */
export interface HubFile {
  path: string;
  content: Buffer;
  /** Serve as an LFS file (redirect + X-Linked-*). Default: true. */
  lfs?: boolean;
  /** SHA-256 the Hub claims, to simulate corruption. Default: the content's real SHA-256. */
  advertisedSha256?: string;
}

export interface HubRequest {
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface HubServer {
  /** The hub's base URL (what `HF_ENDPOINT` would be). */
  url: string;
  requests: HubRequest[];
  /** The next CDN responses, one per entry, send that many bytes of their body, then destroy the socket. */
  cutNextDownloads(afterBytes: number[]): void;
  close(): Promise<void>;
}

export async function startHubServer(repos: Record<string, HubFile[]>): Promise<HubServer> {
  const requests: HubRequest[] = [];
  const blobs = new Map<string, Buffer>();
  for (const files of Object.values(repos)) for (const file of files) blobs.set(sha256(file.content), file.content);
  let cuts: number[] = [];

  // The CDN listens on a second port, so it is another origin, as on the real Hub (cas-bridge.xethub.hf.co).
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    requests.push({ method: request.method ?? 'GET', path, range: request.headers.range, authorization: request.headers.authorization });
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    if (tree?.[1] !== undefined) return sendTree(response, repos[tree[1]]);
    if (resolve?.[1] !== undefined && resolve[2] !== undefined) return sendResolve(request, response, repos[resolve[1]], resolve[2]);
    const blob = cdn?.[1] === undefined ? undefined : blobs.get(cdn[1]);
    if (blob !== undefined) {
      return sendBytes(request, response, blob, cuts.shift());
    }
    response.writeHead(404).end();
  };
  const servers = [createServer(handler), createServer(handler)];
  const [url, cdnUrl] = await Promise.all(
    servers.map(
      (server) =>
        new Promise<string>((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    ),
  );

  function sendResolve(request: IncomingMessage, response: ServerResponse, files: HubFile[] | undefined, filePath: string): void {
    const file = files?.find((f) => f.path === filePath);
    if (file === undefined) {
      response.writeHead(404, { 'x-error-code': files === undefined ? 'RepoNotFound' : 'EntryNotFound' }).end();
      return;
    }
    const digest = sha256(file.content);
    if (file.lfs === false) return sendBytes(request, response, file.content, undefined);
    response
      .writeHead(302, {
        location: `${cdnUrl}/cdn/${digest}`,
        'x-linked-etag': `"${file.advertisedSha256 ?? digest}"`,
        'x-linked-size': String(file.content.length),
        etag: `"${file.advertisedSha256 ?? digest}"`,
      })
      .end();
  }

  return {
    url: url!,
    requests,
    cutNextDownloads: (afterBytes) => {
      cuts = [...afterBytes];
    },
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((done) => {
              server.closeAllConnections();
              server.close(() => done());
            }),
        ),
      );
    },
  };
}

/** A port nothing listens on: bind an ephemeral port, then release it. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}`;
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function sendTree(response: ServerResponse, files: HubFile[] | undefined): void {
  if (files === undefined) {
    response.writeHead(404, { 'content-type': 'application/json', 'x-error-code': 'RepoNotFound' }).end('{"error":"Repository not found"}');
    return;
  }
  const entries = files.map((file) => ({
    type: 'file',
    oid: createHash('sha1').update(file.content).digest('hex'),
    size: file.content.length,
    path: file.path,
    ...(file.lfs === false ? {} : { lfs: { oid: sha256(file.content), size: file.content.length, pointerSize: 134 } }),
  }));
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
}

function sendBytes(request: IncomingMessage, response: ServerResponse, content: Buffer, cutAfter: number | undefined): void {
  const first = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
  const body = content.subarray(first);
  const headers = { 'content-length': String(body.length), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
  if (request.headers.range !== undefined) {
    response.writeHead(206, { ...headers, 'content-range': `bytes ${first}-${content.length - 1}/${content.length}` });
  } else {
    response.writeHead(200, headers);
  }
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  if (cutAfter === undefined) {
    response.end(body);
    return;
  }
  response.write(body.subarray(0, cutAfter), () => setTimeout(() => response.socket?.destroy(), 20));
}
