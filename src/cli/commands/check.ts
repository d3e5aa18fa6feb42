import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import { setExitCode } from '../exit-codes.js';
import { flagOrEnv, withSourceOptions } from '../shared-options.js';
import { passwordFlagWarning, registerCliSecrets } from '../secret-guards.js';

interface CheckArgs {
  mapping: string;
  'database-url'?: string;
  sample: number;
  json: boolean;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'Check a mapping against the legacy database (tables, columns, types) and map a sample of rows, sending nothing',
  builder: (yargs) =>
    withSourceOptions(yargs)
      .option('sample', { type: 'number', default: 1000, describe: 'Map the first N source rows in key order for coverage and rejects; 0 checks the schema only' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the whole result as one JSON object' })
      .epilogue('Connects read-only and writes nothing. Exit codes: 0 the mapping is sound and every sampled row maps; 3 sound, but sampled rows would be rejected; 2 a table, column or type is wrong, or the mapping or configuration is invalid; 1 anything else (e.g. the database cannot be reached).'),
  handler: async (args) => {
    // Loaded on use, so `--help` and the other commands start fast.
    const { loadMappingFile } = await import('../../mapping/index.js');
    const { connectSource, describeSource } = await import('../../extract/index.js');
    const { formatCheckReport, runCheck } = await import('../../check/index.js');
    if (!Number.isInteger(args.sample) || args.sample < 0) throw new ConfigError(`--sample must be a whole number of rows (0 or more), got ${String(args.sample)}`);
    const databaseUrl = flagOrEnv(args['database-url'], 'DATABASE_URL');
    registerCliSecrets({ databaseUrl });
    const passwordWarning = passwordFlagWarning(args['database-url']);
    if (passwordWarning) console.error(`warning: ${passwordWarning}`);
    const { spec } = await loadMappingFile(args.mapping);
    if (!databaseUrl) throw new ConfigError('missing a database URL: pass --database-url or set DATABASE_URL');
    const source = describeSource(databaseUrl);
    const db = connectSource(databaseUrl, { maxConnections: 1 });
    try {
      const report = await runCheck({ spec, mappingFile: args.mapping, db, source, sample: args.sample });
      process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
      setExitCode(report.exitCode);
    } finally {
      await db.destroy();
    }
  },
};
