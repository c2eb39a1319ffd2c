import type { Command } from 'commander';

/** Adds one subcommand; `setExitCode` records the status `main` returns. */
export type RegisterCommand = (program: Command, setExitCode: (code: number) => void) => void;
