import type { Command } from 'commander';

// Placeholder: replaced by the real command (work in progress).
export function registerEvalCommand(_program: Command): void {}
