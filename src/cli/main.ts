import yargs from 'yargs';
import { MigrateError, coerceError } from '../errors.js';
import { scrubText } from '../shared/scrub-text.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { emulatorCommand } from './commands/emulator.js';
import { exportCommand } from './commands/export.js';
import { reconcileCommand } from './commands/reconcile.js';
import { resetCommand } from './commands/reset.js';
import { rollbackCommand } from './commands/rollback.js';
import { runCommand, workerCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { statusCommand } from './commands/status.js';
import { EXIT_CODES, takeExitCode } from './exit-codes.js';

/**
 * Parses argv and runs one command; resolves to the process exit code. Only the bin calls
 * process.exit, so every command stays testable in-process.
 */
export async function main(argv: string[]): Promise<number> {
  let usageError: string | undefined;
  try {
    await yargs(argv)
      .scriptName('dynamic-migrate')
      .usage('$0 <command> [options]\n\nMove users from a legacy PostgreSQL database into Dynamic, resumably.')
      .command(runCommand)
      .command(workerCommand)
      .command(checkCommand)
      .command(schemaCommand)
      .command(statusCommand)
      .command(reconcileCommand)
      .command(resetCommand)
      .command(rollbackCommand)
      .command(exportCommand)
      .command(emulatorCommand)
      .command(demoCommand)
      .demandCommand(1, 'Name a command (see --help).')
      .recommendCommands()
      .strict()
      .help()
      .wrap(Math.min(110, process.stdout.columns ?? 110))
      .fail((message, error) => {
        if (error) throw error;
        usageError = message;
      })
      .parseAsync();
  } catch (thrown) {
    // The message may quote the API or the database: scrubbed, as every output (see scrubText).
    const error = coerceError(thrown);
    if (error instanceof MigrateError) {
      console.error(`dynamic-migrate: ${scrubText(error.message)}`);
      return error.exitCode;
    }
    console.error(`dynamic-migrate: unexpected error: ${scrubText(error.stack ?? error.message)}`);
    return EXIT_CODES.FAILURE;
  }
  if (usageError !== undefined) {
    console.error(`dynamic-migrate: ${scrubText(usageError)} (see --help)`); // yargs may echo a value given
    return EXIT_CODES.USAGE;
  }
  return takeExitCode();
}
