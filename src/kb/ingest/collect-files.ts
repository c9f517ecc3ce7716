import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatOf, type FileFormat } from '../parse/parse-file.js';

export interface CollectedFile {
  path: string;
  format: FileFormat;
}

export interface SkippedPath {
  path: string;
  reason: string;
}

/** Directories never descended into: version control, dependencies, caches. Hidden entries are skipped too. */
const IGNORED_DIRECTORIES = new Set(['node_modules', '__pycache__']);

/**
 * Expands files and folders into the files ingest reads (absolute paths, sorted, without duplicates). Folders are
 * walked recursively, skipping hidden entries and files of unknown type; a named file of unknown type or a missing
 * path is reported as skipped.
 */
export async function collectFiles(paths: readonly string[]): Promise<{ files: CollectedFile[]; skipped: SkippedPath[] }> {
  const files = new Map<string, CollectedFile>();
  const skipped: SkippedPath[] = [];
  const visitedDirectories = new Set<string>();

  const walk = async (directory: string): Promise<void> => {
    const real = await realpath(directory);
    if (visitedDirectories.has(real)) return; // a symlink loop
    visitedDirectories.add(real);
    const entries = await readdir(directory, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.') || IGNORED_DIRECTORIES.has(entry.name)) continue;
      const path = join(directory, entry.name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isDirectory()) await walk(path);
      else if (info?.isFile()) {
        const format = formatOf(path);
        if (format) files.set(path, { path, format });
      }
    }
  };

  for (const given of paths) {
    const path = resolve(given);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      skipped.push({ path, reason: info.code === 'ENOENT' ? 'no such file or directory' : info.message });
    } else if (info.isDirectory()) {
      await walk(path);
    } else {
      const format = formatOf(path);
      if (format) files.set(path, { path, format });
      else skipped.push({ path, reason: 'unsupported file type' });
    }
  }
  return { files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)), skipped };
}
