import { Command, CommanderError } from 'commander';
import { addGlobalOptions } from './global-options.js';
import { UsageError } from './usage-error.js';
import { commands } from './commands/index.js';

/**
 * Runs the `reindex` CLI and resolves to its exit status: 0 success, 1 a job
 * or operation failed, 2 bad usage. Errors are one line on stderr; stacks
 * only with --verbose.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = addGlobalOptions(new Command('reindex'))
    .description('Re-generate activities from stored audit logs and Kubernetes Events')
    .exitOverride()
    // Usage errors are one line, like every other error: commander's own
    // "error: …" plus the hint, on the same line.
    .configureOutput({
      outputError: (text, write) => write(`reindex: ${text.trim().replace(/^error: /, '')} (run with --help for usage)\n`),
    });
  for (const register of commands) {
    register(program, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; everything else commander rejects is usage.
      return err.exitCode === 0 ? 0 : 2;
    }
    const verbose = argv.includes('--verbose');
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`reindex: ${verbose && err instanceof Error ? err.stack : message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
