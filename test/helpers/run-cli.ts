// Runs the qwen-ranker CLI as a user does: a child process of the built CLI (dist/cli/main.js, the package's bin),
// with real files and exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import { builtFile } from './built-package.js';

/** The built CLI; resolved on first use, so a test file that only imports this module needs no build. */
export const cliPath = (): string => builtFile('cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; the caller owns the process (for servers and signals). */
export function spawnCli(args: string[], options: { env?: Record<string, string>; stdin?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [cliPath(), ...args], {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
}

/** Runs the CLI to completion, with optional standard input and extra environment variables. */
export function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawnCli(args, { env: options.env, stdin: options.stdin !== undefined });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin?.end(options.stdin);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
