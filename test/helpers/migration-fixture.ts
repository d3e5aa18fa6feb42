import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoSchema, seedDemoUsers } from '../../src/demo/index.js';
import { createTestDatabase } from './postgres.js';
import type { TestDatabase } from './postgres.js';

export const ENVIRONMENT_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';

/** A legacy database seeded with the demo schema, and a scratch folder for checkpoints and reports. */
export interface MigrationFixture {
  db: TestDatabase;
  seeded: Awaited<ReturnType<typeof seedDemoUsers>>;
  /** Rows the example mapping should send: not soft-deleted, not deliberately invalid. */
  expectedValid: number;
  /** The exit code of a clean run: 3 when the seed holds rows the example mapping rejects, else 0. */
  cleanExit: number;
  dir: string;
  /** CLI args pointing checkpoints and reports into `dir`. */
  dirArgs: string[];
  cleanup(): Promise<void>;
}

export async function createMigrationFixture(options: { users: number; seed: number }): Promise<MigrationFixture> {
  const db = await createTestDatabase();
  await createDemoSchema(db.admin);
  const seeded = await seedDemoUsers(db.admin, { count: options.users, seed: options.seed });
  const dir = mkdtempSync(join(tmpdir(), 'dm-e2e-'));
  return {
    db,
    seeded,
    expectedValid: seeded.users - seeded.deleted - seeded.deliberatelyInvalid,
    cleanExit: seeded.deliberatelyInvalid > 0 ? 3 : 0,
    dir,
    dirArgs: ['--checkpoint-dir', join(dir, 'checkpoints'), '--reports-dir', join(dir, 'reports')],
    async cleanup() {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The newest run folder's summary.json for a job. */
export function latestSummary(dir: string, job: string): Record<string, unknown> {
  const jobDir = join(dir, 'reports', job);
  const runs = readdirSync(jobDir).sort();
  const last = runs.at(-1);
  if (!last) throw new Error(`no runs in ${jobDir}`);
  return JSON.parse(readFileSync(join(jobDir, last, 'summary.json'), 'utf8')) as Record<string, unknown>;
}

export function latestRunDir(dir: string, job: string): string {
  const jobDir = join(dir, 'reports', job);
  return join(jobDir, readdirSync(jobDir).sort().at(-1) ?? '');
}

export function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
