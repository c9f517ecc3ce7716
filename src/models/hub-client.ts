import { ModelLoadError, throwIfAborted } from '../spec/errors.js';

/** How to reach the Hugging Face Hub. */
export interface HubOptions {
  /** Hub base URL (a mirror or a test server). Default: `$HF_ENDPOINT` (the Hugging Face convention) or
   * `https://huggingface.co`. */
  hubUrl?: string;
  /** Access token for gated or private repos, sent only to the hub itself. Default: `$HF_TOKEN`. */
  token?: string;
  /** Time allowed for each metadata request (file listing, file info), in ms. Default: 30000. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

/** What the Hub says about one file. */
export interface RemoteFileInfo {
  /** Where the bytes are (the CDN location the resolve URL redirects to, or the resolve URL itself). */
  downloadUrl: string;
  /** Size in bytes, when the Hub reports it. */
  size: number | undefined;
  /** Lower-case hex SHA-256, when the Hub reports it (LFS files). */
  sha256: string | undefined;
}

const DEFAULT_HUB_URL = 'https://huggingface.co';
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

export function resolveHubUrl(hubUrl: string | undefined): string {
  return (hubUrl ?? process.env.HF_ENDPOINT ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
}

/** The Hub's download URL of a file on `main`: `<hub>/<owner>/<repo>/resolve/main/<path>` (huggingface_hub `hf_hub_url`). */
export function fileResolveUrl(hubUrl: string, owner: string, repo: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${hubUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/resolve/main/${path}`;
}

/**
 * Lists the file paths at the top of a model repo with the tree API, `GET /api/models/<owner>/<repo>/tree/main`,
 * following `Link: <…>; rel="next"` pages (huggingface.js `packages/hub/src/lib/list-files.ts`).
 */
export async function listRepoFiles(owner: string, repo: string, options: HubOptions = {}): Promise<string[]> {
  const hubUrl = resolveHubUrl(options.hubUrl);
  const what = `repo ${owner}/${repo} on ${hubUrl}`;
  let url: string | undefined = `${hubUrl}/api/models/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/tree/main`;
  const paths: string[] = [];
  while (url !== undefined) {
    const response = await hubFetch(url, { headers: { accept: 'application/json' } }, options);
    if (!response.ok) throw await statusError(response, what);
    const entries: unknown = await response.json().catch(() => undefined);
    if (!Array.isArray(entries)) throw new ModelLoadError('download_failed', `unreadable file list for ${what}`);
    // Tolerant read of another server's response: keep only well-formed file entries.
    for (const entry of entries as Array<{ type?: unknown; path?: unknown }>) {
      if (entry?.type === 'file' && typeof entry.path === 'string') paths.push(entry.path);
    }
    url = nextPageUrl(response.headers.get('link'), url);
  }
  return paths;
}

/**
 * Asks the Hub where a file's bytes are, how large it is and its SHA-256: a `HEAD` on the resolve URL that does
 * not follow the redirect to the CDN, so the Hub's own `X-Linked-Etag` (the LFS SHA-256) and `X-Linked-Size`
 * headers stay readable (huggingface_hub `get_hf_file_metadata`; header names in `huggingface_hub/constants.py`).
 * Redirects without those headers (a renamed repo) are followed.
 */
export async function probeFile(resolveUrl: string, options: HubOptions = {}): Promise<RemoteFileInfo> {
  let url = resolveUrl;
  for (let redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
    const response = await hubFetch(url, { method: 'HEAD', redirect: 'manual', headers: { 'accept-encoding': 'identity' } }, options);
    const linkedSize = parseSize(response.headers.get('x-linked-size'));
    const linkedSha256 = parseSha256(response.headers.get('x-linked-etag'));
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const target = new URL(location, url).href;
      if (linkedSize !== undefined || linkedSha256 !== undefined) return { downloadUrl: target, size: linkedSize, sha256: linkedSha256 };
      url = target;
      continue;
    }
    if (!response.ok) throw await statusError(response, resolveUrl);
    return {
      downloadUrl: url,
      size: linkedSize ?? parseSize(response.headers.get('content-length')),
      sha256: linkedSha256 ?? parseSha256(response.headers.get('etag')),
    };
  }
  throw new ModelLoadError('download_failed', `too many redirects from ${resolveUrl}`);
}

/**
 * `fetch` with the Hub token (only to the hub's own origin), a per-request timeout, and network failures turned
 * into `ModelLoadError('offline')` so callers can tell "no network" from "the Hub said no".
 */
export async function hubFetch(url: string, init: RequestInit, options: HubOptions, timeout: 'request' | 'none' = 'request'): Promise<Response> {
  const hubUrl = resolveHubUrl(options.hubUrl);
  const token = options.token ?? process.env.HF_TOKEN;
  const headers = new Headers(init.headers);
  if (token && new URL(url).origin === new URL(hubUrl).origin) headers.set('authorization', `Bearer ${token}`);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const limit = timeout === 'request' ? AbortSignal.timeout(timeoutMs) : undefined;
  const signals = [options.signal, limit].filter((s): s is AbortSignal => s !== undefined);
  try {
    return await fetch(url, { ...init, headers, signal: signals.length > 0 ? AbortSignal.any(signals) : undefined });
  } catch (error) {
    throwIfAborted(options.signal);
    const origin = new URL(url).origin;
    const why = limit?.aborted ? `no answer within ${timeoutMs} ms` : networkErrorCode(error);
    throw new ModelLoadError('offline', `cannot reach ${origin} (${why})`, { cause: error, retryable: true });
  }
}

/** Maps a Hub error status to a typed error with advice. */
export async function statusError(response: Response, what: string): Promise<ModelLoadError> {
  // The Hub explains refusals in `X-Error-Message` (huggingface_hub `utils/_http.py`, hf_raise_for_status).
  const detail = response.headers.get('x-error-message') ?? (await response.text().catch(() => '')).slice(0, 200);
  const suffix = detail ? `: ${detail}` : '';
  if (response.status === 404) return new ModelLoadError('model_not_found', `${what} was not found (HTTP 404)${suffix}`);
  if (response.status === 401 || response.status === 403) {
    return new ModelLoadError('download_failed', `access to ${what} was refused (HTTP ${response.status})${suffix}; for gated or private repos set HF_TOKEN`);
  }
  return new ModelLoadError('download_failed', `${what}: HTTP ${response.status}${suffix}`, { retryable: response.status === 429 || response.status >= 500 });
}

function nextPageUrl(link: string | null, base: string): string | undefined {
  const next = link?.split(',').find((part) => /rel="?next"?/.test(part));
  const target = next?.match(/<([^>]+)>/)?.[1];
  return target === undefined ? undefined : new URL(target, base).href;
}

function parseSize(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** ETags arrive quoted and sometimes weak (`W/"…"`); only a 64-hex value is a SHA-256 (git blob ids are 40-hex). */
function parseSha256(value: string | null): string | undefined {
  const bare = value?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return bare !== undefined && /^[0-9a-f]{64}$/.test(bare) ? bare : undefined;
}

function networkErrorCode(error: unknown): string {
  // undici wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
