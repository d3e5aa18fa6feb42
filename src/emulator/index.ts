/** The Dynamic API emulator: rehearse a migration locally; every test runs against it. */
export { startEmulator, type RunningEmulator } from './emulator-server.js';
export {
  DEFAULT_EMULATOR_TOKEN,
  resolveEmulatorOptions,
  type EmulatorLogger,
  type EmulatorOptions,
} from './emulator-options.js';
export type { ClientStats, EmulatorStats } from './emulator-stats.js';
export type { ApiUser } from './user-view.js';
export type { BulkOutcome } from './user-store.js';
