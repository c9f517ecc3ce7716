import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRerankerError, ModelLoadError, RerankerError, throwIfAborted } from '../spec/errors.js';
import { hubFetch, probeFile, statusError, type HubOptions, type RemoteFileInfo } from './hub-client.js';

export interface DownloadProgress {
  downloadedBytes: number;
  totalBytes: number | undefined;
  /** File name being downloaded. */
  file: string;
}

export interface DownloadFileOptions extends HubOptions {
  /** The Hub's resolve URL of the file (see `fileResolveUrl`). */
  url: string;
  /** Final path. Bytes go to `<destination>.part` first, which a later call continues with an HTTP `Range`. */
  destination: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Connection attempts in a row that bring no new byte before giving up; each continues where the previous one
   * stopped. Default: 5. */
  maxAttempts?: number;
  /** Pause before a retry, in ms, times 1 + the attempts in a row without progress. Default: 1000. */
  retryDelayMs?: number;
  /** An attempt that receives no byte for this long is dropped and retried, in ms. Default: 60000. */
  stallTimeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Whether the SHA-256 was checked against an expected value. */
  verified: boolean;
}

/**
 * Downloads one file resumably: continues an existing `.part` file with `Range: bytes=<size>-`, retries dropped
 * connections, hashes while writing, checks size and SHA-256, then renames the `.part` into place. A checksum
 * mismatch deletes the `.part` and fails with `download_failed`; any other failure keeps it for the next call.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadResult> {
  const { destination, signal } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const info = await probeFile(options.url, options);
  // The SHA-256 the Hub reports (X-Linked-Etag); files it reports none for (non-LFS) are checked by size only.
  const expectedSha256 = info.sha256;
  const partPath = `${destination}.part`;
  const file = basename(destination);
  await mkdir(dirname(destination), { recursive: true });

  const state = await readPart(partPath, info.size);
  const report = () => options.onProgress?.({ downloadedBytes: state.bytes, totalBytes: info.size, file });
  report();
  let failures = 0;
  let lastError: unknown;
  while (info.size === undefined || state.bytes < info.size) {
    throwIfAborted(signal);
    const before = state.bytes;
    try {
      const finished = await fetchInto(partPath, info, state, options, report);
      if (finished) break;
      lastError = new RerankerError('download_failed', `the connection closed after ${state.bytes} bytes`, { retryable: true });
    } catch (error) {
      throwIfAborted(signal);
      if (isRerankerError(error) && !error.retryable) throw error;
      lastError = error;
    }
    failures = state.bytes > before ? 0 : failures + 1;
    if (failures >= maxAttempts) {
      throw new ModelLoadError(
        'download_failed',
        `download of ${file} stopped at ${state.bytes} of ${info.size ?? '?'} bytes after ${failures} attempts without progress ` +
          `(${describe(lastError)}); run the same command again to resume from ${partPath}`,
        { cause: lastError, retryable: true },
      );
    }
    await sleep(retryDelayMs * (failures + 1), undefined, { signal }).catch(() => throwIfAborted(signal));
  }

  const sha256 = state.hash.digest('hex');
  if (info.size !== undefined && state.bytes !== info.size) {
    await rm(partPath, { force: true });
    throw new ModelLoadError('download_failed', `${file}: received ${state.bytes} bytes, the Hub announced ${info.size}; the partial file was deleted`);
  }
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
    await rm(partPath, { force: true });
    throw new ModelLoadError(
      'download_failed',
      `${file}: SHA-256 mismatch (expected ${expectedSha256}, got ${sha256}); the partial file was deleted, run again to download it afresh`,
    );
  }
  await rename(partPath, destination);
  return { path: destination, bytes: state.bytes, sha256, verified: expectedSha256 !== undefined };
}

interface PartState {
  bytes: number;
  hash: Hash;
}

/** Reads what an earlier call left in the `.part` file into the hash; drops a part longer than the file. */
async function readPart(partPath: string, size: number | undefined): Promise<PartState> {
  const existing = await stat(partPath).then((s) => s.size, () => 0);
  const hash = createHash('sha256');
  if (existing === 0 || (size !== undefined && existing > size)) {
    await rm(partPath, { force: true });
    return { bytes: 0, hash };
  }
  for await (const chunk of createReadStream(partPath)) hash.update(chunk as Buffer);
  return { bytes: existing, hash };
}

/**
 * One connection: asks for the bytes after `state.bytes` and appends them. Returns true when the body ended at
 * the announced size (or, size unknown, ended at all). A server that ignores `Range` (200) restarts the file.
 */
async function fetchInto(
  partPath: string,
  info: RemoteFileInfo,
  state: PartState,
  options: DownloadFileOptions,
  report: () => void,
): Promise<boolean> {
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  const stall = new AbortController();
  let timer = setTimeout(() => stall.abort(), stallTimeoutMs);
  const stalled = (error: unknown) =>
    stall.signal.aborted && !options.signal?.aborted ? new RerankerError('download_failed', `no data for ${stallTimeoutMs} ms`, { cause: error, retryable: true }) : error;
  const signal = AbortSignal.any([options.signal, stall.signal].filter((s): s is AbortSignal => s !== undefined));
  try {
    const headers: Record<string, string> = state.bytes > 0 ? { range: `bytes=${state.bytes}-` } : {};
    const response = await hubFetch(info.downloadUrl, { headers }, { ...options, signal }, 'none').catch((error: unknown) => {
      throw stalled(error);
    });
    if (!response.ok || response.body === null) throw await statusError(response, info.downloadUrl);
    if (response.status === 206) {
      // https://www.rfc-editor.org/rfc/rfc9110#name-content-range: "bytes <first>-<last>/<complete-length>".
      const contentRange = response.headers.get('content-range') ?? '';
      if (Number(/^bytes (\d+)-/.exec(contentRange)?.[1]) !== state.bytes) {
        throw new ModelLoadError('download_failed', `asked for bytes ${state.bytes}- of ${info.downloadUrl}, got Content-Range "${contentRange}"`);
      }
    } else if (state.bytes > 0) {
      // 200: the server ignored Range and sends the whole file again.
      state.bytes = 0;
      state.hash = createHash('sha256');
    }
    const handle = await open(partPath, state.bytes === 0 ? 'w' : 'a');
    const reader = response.body.getReader();
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        const chunk = read.value;
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), stallTimeoutMs);
        await handle.write(chunk);
        state.hash.update(chunk);
        state.bytes += chunk.byteLength;
        report();
      }
    } catch (error) {
      throw stalled(error);
    } finally {
      await handle.close();
    }
  } finally {
    clearTimeout(timer);
  }
  return info.size === undefined || state.bytes === info.size;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error.cause as { code?: unknown; message?: unknown } | undefined) ?? {};
    const detail = typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : undefined;
    return detail ? `${error.message}: ${detail}` : error.message;
  }
  return String(error);
}
