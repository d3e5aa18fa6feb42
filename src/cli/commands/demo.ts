import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import type { JobObserver } from '../../pipeline/index.js';
import { setExitCode } from '../exit-codes.js';

interface DemoArgs {
  users: number;
  'checkpoint-dir': string;
}

/** A fixed demo environment; the emulator accepts any well-formed id. */
const DEMO_ENVIRONMENT_ID = '2b5d0e5c-7a51-4d5e-9f3c-1c2d3e4f5a6b';
const DEMO_TOKEN = 'dyn_demo_token';
const DEMO_JOB = 'demo';
/** The example mapping ships with the package, so the demo works from any directory. */
const EXAMPLE_MAPPING = fileURLToPath(new URL('../../../mappings/example.ts', import.meta.url));

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'Rehearse a whole migration with no server to install: an embedded PostgreSQL (PGlite) seeded with demo users, the local Dynamic emulator, a dry run and a real run',
  builder: (yargs) =>
    yargs
      .option('users', { type: 'number', default: 2000, describe: 'How many legacy users to seed' })
      .option('checkpoint-dir', { type: 'string', default: 'checkpoints', describe: 'Folder for the demo checkpoint and reports' }),
  handler: async (args) => {
    const { checkpointPath, removeCheckpoint, CheckpointStore } = await import('../../checkpoint/index.js');
    const { createDemoSchema, openEmbeddedDatabase, seedDemoUsers } = await import('../../demo/index.js');
    const { startEmulator } = await import('../../emulator/index.js');
    const { exitCodeFor, jobConfigSchema, migrateJob } = await import('../../pipeline/index.js');
    const { printSummary } = await import('../console-output.js');
    const { writeIdMapFile } = await import('../id-map-writer.js');
    const { registerCliSecrets } = await import('../secret-guards.js');
    registerCliSecrets({ token: DEMO_TOKEN });
    const checkpointDir = args['checkpoint-dir'];
    const { ensurePrivateDir } = await import('../../shared/private-dir.js');
    ensurePrivateDir(checkpointDir);
    await removeCheckpoint(checkpointPath(checkpointDir, DEMO_JOB)); // each demo starts from scratch

    console.error(`Seeding ${args.users} legacy users into an embedded PostgreSQL (PGlite)...`);
    const database = await openEmbeddedDatabase();
    const emulator = await startEmulator({ port: 0, token: DEMO_TOKEN });
    try {
      await createDemoSchema(database.db);
      const seeded = await seedDemoUsers(database.db, { count: args.users, seed: 42 });
      console.error(`Seeded ${seeded.users} users (${seeded.deleted} soft-deleted, ${seeded.wallets} wallets, ${seeded.identities} OAuth identities, ${seeded.deliberatelyInvalid} deliberately invalid, ${seeded.droppedValue} with one bad optional value).`);
      console.error(`Dynamic API emulator listening on ${emulator.baseUrl}\n`);

      const base = {
        job: DEMO_JOB,
        mappingFile: EXAMPLE_MAPPING,
        apiUrl: emulator.baseUrl,
        environmentId: DEMO_ENVIRONMENT_ID,
        token: DEMO_TOKEN,
        checkpointDir,
        reportsDir: join(checkpointDir, 'reports'),
      };
      const source = { source: database.db, sourceDescription: 'pglite:demo' };

      console.error('1/2 Dry run: extract, map and validate; nothing is sent.');
      const dry = await runWithProgress((observer) => migrateJob(jobConfigSchema.parse({ ...base, dryRun: true }), { ...source, observer }));
      printSummary(dry);

      console.error('\n2/2 Real run against the emulator.');
      const real = await runWithProgress((observer) => migrateJob(jobConfigSchema.parse({ ...base, dryRun: false }), { ...source, observer }));
      printSummary(real);

      const idMapPath = join(real.reports.dir, 'idmap.csv');
      const store = await CheckpointStore.open(checkpointPath(checkpointDir, DEMO_JOB), { create: false });
      await writeIdMapFile(store, idMapPath, 'csv').finally(() => store.close());
      const stats = emulator.stats();
      console.log(`\nId map (legacy id -> Dynamic user id): ${idMapPath}`);
      console.log(`Emulator now holds ${stats.usersStored} users after ${stats.bulkRequests} bulk requests.`);
      const dirFlag = checkpointDir === 'checkpoints' ? '' : ` --checkpoint-dir ${checkpointDir}`;
      console.log(`Try: npx dynamic-migrate status --job ${DEMO_JOB}${dirFlag}`);
      setExitCode(real.summary.addsUp && dry.summary.addsUp ? 0 : exitCodeFor(real.summary));
    } finally {
      await emulator.close();
      await database.close();
    }
  },
};

/** Runs one job with a progress display that is finished (bar drawn at its final state) before the summary prints. */
async function runWithProgress<T>(job: (observer: JobObserver) => Promise<T>): Promise<T> {
  const { createConsoleObserver } = await import('../console-output.js');
  const observer = createConsoleObserver({ progressBar: Boolean(process.stderr.isTTY) });
  try {
    return await job(observer);
  } finally {
    observer.stop();
  }
}
