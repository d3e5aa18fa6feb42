import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliDryRun } from '../../src/bench/cli-dry-run.js';
import { serverCpuSeconds } from '../../src/bench/server-cpu.js';
import { createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';

// The bench's dry-run figures come from a real `dynamic-migrate run --dry-run` process: its own
// summary, the kernel's peak RSS and CPU counts. These check the plumbing, not the figures.
describe('bench: the dry run in its own process', () => {
  let fixture: MigrationFixture;
  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 200, seed: 5 });
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it("reports the run's own counts, its peak RSS and the CPU it and PostgreSQL spent", async () => {
    const run = await runCliDryRun({ databaseUrl: fixture.db.url, mappingFile: resolve('mappings/example.ts'), workDir: fixture.dir, job: 'bench-plumbing' });
    expect(run.users).toBe(fixture.seeded.users - fixture.seeded.deleted);
    expect(run.users - run.rejected).toBe(fixture.expectedValid);
    expect(run.seconds).toBeGreaterThan(0);
    expect(run.processSeconds).toBeGreaterThan(run.seconds);
    // A node process with the pipeline loaded holds tens of MB at least; a KiB/MB mix-up would not.
    expect(run.peakRssMB).toBeGreaterThan(30);
    expect(run.peakRssMB).toBeLessThan(4096);
    expect(run.cpuSeconds).toBeGreaterThan(0);
    if (!process.env.DATABASE_URL) expect(run.serverCpuSeconds).toBeGreaterThanOrEqual(0);
  });

  it("counts the server's CPU once a connection that used it has closed", async () => {
    const before = await serverCpuSeconds(fixture.db.url);
    // Only a server given by DATABASE_URL may be elsewhere (its CPU is then out of sight).
    if (before === undefined && process.env.DATABASE_URL) return;
    expect(before).toBeDefined();
    const client = new pg.Client({ connectionString: fixture.db.url });
    await client.connect();
    // About half a second of one backend's CPU, whatever the machine.
    await client.query("select count(*) from generate_series(1, 3000000) g where md5(g::text) like 'a%'");
    await client.end();
    await sleep(250);
    const after = await serverCpuSeconds(fixture.db.url);
    expect(after! - before!).toBeGreaterThan(0.05);
  });
});
