/** The pipeline: how a row travels from the legacy table to Dynamic, and the run's bookkeeping. */
export * from './batch-builder.js';
export * from './batch-sender.js';
export * from './job-config.js';
export * from './journal.js';
export * from './migrate-job.js';
export * from './migration-passes.js';
export * from './run-migration.js';
export * from './run-passes.js';
export * from './run-reports.js';
export * from './run-summary.js';
