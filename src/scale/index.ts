// Scale-out: several workers on several machines running one job through a shared PostgreSQL state
// database. The chunks of the full pass go through pg-boss (chunk-queue.ts), the environment's
// request budget through rate-limiter-flexible (environment-budget.ts).
export { openChunkQueue, chunkId, type ChunkCounts, type ChunkHandler, type ChunkJob, type ChunkQueue, type ChunkQueueOptions, type WorkResult } from './chunk-queue.js';
export { openEnvironmentBudget, budgetWindows, type BudgetWindows, type EnvironmentBudget, type EnvironmentBudgetOptions } from './environment-budget.js';
export { planChunks } from './plan-chunks.js';
export { takeoverTimings, type TakeoverTimings } from './takeover-timings.js';
