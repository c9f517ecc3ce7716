import type { Command } from 'commander';

// Placeholder: replaced by the real command (work in progress).
export function registerKbCommand(_program: Command): void {}
