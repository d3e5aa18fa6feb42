import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { landedState } from './chaos-landed-state.js';
import { startEmulatorProcess } from './emulator-process.js';
import type { EmulatorProcess } from './emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from './migration-fixture.js';
import type { MigrationFixture } from './migration-fixture.js';
import { runCli, spawnCli } from './run-cli.js';
import type { CliResult } from './run-cli.js';

/** A `status --json` of a scaled-out job, as far as the scale tests read it. */
export interface ScaledJobStatus {
  total: number;
  counts: Record<string, number>;
  chunks?: { planned: number; done: number; running: number; queued: number; failed: number };
}

/** What each scale-out test sets up: a seeded source, emulators and CLI processes, all ended by `cleanup`. */
export interface ScaleRig {
  fixture: MigrationFixture;
  /** An emulator process with these arguments, stopped by `cleanup`. */
  emulator(args: string[]): Promise<EmulatorProcess>;
  /** A CLI child process; one still running at `cleanup` (a test that failed half-way) is killed. */
  spawn(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliResult> };
  /** The API settings of `emulator` as the CLI reads them from its environment. */
  apiEnv(emulator: EmulatorProcess): Record<string, string>;
  /**
   * What one quiet single run of the example mapping lands in a fresh emulator without limits:
   * the state every scale-out scenario must end in (see landedState).
   */
  reference(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function createScaleRig(options: { users: number; seed: number }): Promise<ScaleRig> {
  const fixture = await createMigrationFixture(options);
  const emulators: EmulatorProcess[] = [];
  const spawned: ChildProcess[] = [];
  const apiEnv = (emulator: EmulatorProcess) => ({
    DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token,
  });
  const emulator = async (args: string[]) => {
    const started = await startEmulatorProcess(args);
    emulators.push(started);
    return started;
  };
  return {
    fixture,
    emulator,
    spawn(args, env) {
      const cli = spawnCli(args, env);
      spawned.push(cli.child);
      return cli;
    },
    apiEnv,
    async reference() {
      const unlimited = await emulator(['--rate-limit', '0']);
      const single = await runCli(['run', '--mapping', 'mappings/example.ts', '--job', 'single', '--database-url', fixture.db.url, '--rate-limit', '0', ...fixture.dirArgs], apiEnv(unlimited));
      expect(single.code).toBe(fixture.cleanExit);
      const expected = await landedState(unlimited, ENVIRONMENT_ID);
      expect(expected).toHaveLength(fixture.expectedValid);
      return expected;
    },
    async cleanup() {
      for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(emulators.map((started) => started.stop()));
      await fixture.cleanup();
    },
  };
}
