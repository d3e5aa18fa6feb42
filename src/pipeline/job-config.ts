import { isIP } from 'node:net';
import { z } from 'zod';
import { ENVIRONMENT_ID_PATTERN, MAX_BATCH_SIZE } from '../contract/index.js';

/** Dynamic's production API. */
export const DEFAULT_API_URL = 'https://app.dynamicauth.com/api/v0';

/**
 * Everything one run needs, resolved once (flags > environment > mapping file > defaults) and frozen.
 * Secrets live here and nowhere else: never log this object whole (token, databaseUrl, stateUrl).
 */
export const jobConfigSchema = z.object({
  /** Job name: names the checkpoint file and the reports folder. @default the mapping's `job`, else its file name */
  job: z.string().min(1),
  mappingFile: z.string().min(1),
  databaseUrl: z.string().optional(),
  /** Extract, map and validate only; no HTTP, no token, no checkpoint. @default false */
  dryRun: z.boolean().default(false),
  /** @default https://app.dynamicauth.com/api/v0 */
  apiUrl: z.url().default(DEFAULT_API_URL),
  environmentId: z
    .string()
    .regex(ENVIRONMENT_ID_PATTERN, { message: 'must be a lower-case UUID (36 characters)' })
    .optional(),
  token: z.string().optional(),
  /** The local IP address every request to Dynamic goes out from (`--local-address`). @default the system's choice */
  localAddress: z.string().refine((value) => isIP(value) !== 0, { message: 'must be an IPv4 or IPv6 address' }).optional(),
  /** @default checkpoints */
  checkpointDir: z.string().default('checkpoints'),
  /** @default checkpoints/reports */
  reportsDir: z.string().default('checkpoints/reports'),
  /** Rows per keyset page. @default 500 */
  pageSize: z.number().int().min(1).max(10_000).default(500),
  /** Users per bulk request. @default 50 */
  batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).default(MAX_BATCH_SIZE),
  /**
   * Worker threads that read and map the full pass, each on its own read-only connection; 0 maps in
   * the main thread. Off by default: on 2 cores the database and the main thread already use most
   * of both, so workers cost more than they win (see docs/benchmark.md).
   * @default 0
   */
  workers: z.number().int().min(0).max(16).default(0),
  /** Bulk requests in flight. @default 4 */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Client-side limit; Dynamic allows 150 bulk requests per minute per IP. 0 = no limit. @default 150 */
  rateLimitPerMinute: z.number().int().min(0).default(150),
  /** Retries per request on 429, 5xx and network errors. @default 8 */
  retries: z.number().int().min(0).max(50).default(8),
  /** Accept a mapping or source that changed since the job started (the environment may never change). @default false */
  allowMappingChange: z.boolean().default(false),
  /** Send every batch with `?upsert=true`, updating users that already exist. @default false */
  upsert: z.boolean().default(false),
  /**
   * Seconds behind the database clock: rows committed later than `now() - lag` (long transactions)
   * are left for the next run instead of being skipped. @default 300
   */
  lagSeconds: z.number().min(0).max(7 * 24 * 3600).default(300),
  /** Incremental runs: send changed rows even when their mapped payload is unchanged. @default false */
  resendUnchanged: z.boolean().default(false),
  /**
   * Look every user that maps cleanly up in Dynamic (GET only) and predict create, update or
   * conflict in the report; needs the token and environment id even in a dry run. @default false
   */
  compareTarget: z.boolean().default(false),
  /** Lookups per rolling minute for `compareTarget` (Dynamic's developer endpoints allow 1500). 0 = no limit. @default 1500 */
  compareRateLimitPerMinute: z.number().int().min(0).default(1500),
  /**
   * Look-ups per rolling minute of users whose answer was lost or who may already be ours (the
   * list-users endpoint: Dynamic's developer endpoints allow 1500 per IP). 0 = no limit. @default 1500
   */
  lookupRateLimitPerMinute: z.number().int().min(0).default(1500),
  /**
   * `--state-url`: the job's checkpoint and work queue in this PostgreSQL instead of a file, so
   * workers on several machines share the job (see scale/). A secret: it may hold a password.
   */
  stateUrl: z.string().optional(),
  /** Scaled out: rows of the source per chunk of the full pass, one chunk per queued job. @default 20000 */
  rowsPerChunk: z.number().int().min(1).default(20_000),
  /**
   * Scaled out: most requests per minute all workers together send to the environment (Dynamic
   * allows 3,000; the product's own backend shares them). 0 = no shared budget. @default 2400
   */
  environmentRateLimitPerMinute: z.number().int().min(0).default(2400),
  /** Scaled out: most seconds until a dead worker's chunk is taken over by another. @default 120 */
  takeoverAfterSeconds: z.number().min(5).default(120),
});

export type JobConfig = z.infer<typeof jobConfigSchema>;
