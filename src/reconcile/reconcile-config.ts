import { isIP } from 'node:net';
import { z } from 'zod';
import { ENVIRONMENT_ID_PATTERN } from '../contract/index.js';

/**
 * Everything `reconcile` needs, resolved once (flags > environment > mapping file > defaults) and
 * frozen. Holds the token and the database and state URLs: never log it whole.
 */
export const reconcileConfigSchema = z.object({
  /** Job whose ledger is compared. @default the mapping's `job`, else its file name */
  job: z.string().min(1),
  mappingFile: z.string().min(1),
  databaseUrl: z.string().min(1),
  /** @default https://app.dynamicauth.com/api/v0 */
  apiUrl: z.url(),
  environmentId: z.string().regex(ENVIRONMENT_ID_PATTERN, { message: 'must be a lower-case UUID (36 characters)' }),
  token: z.string().min(1),
  /** The local IP address every request to Dynamic goes out from (`--local-address`). @default the system's choice */
  localAddress: z.string().refine((value) => isIP(value) !== 0, { message: 'must be an IPv4 or IPv6 address' }).optional(),
  /** @default checkpoints */
  checkpointDir: z.string().default('checkpoints'),
  /**
   * The job's checkpoint in this PostgreSQL (schema `dm_<job>`) rather than a file under
   * `checkpointDir` (`--state-url`). Holds a password: never log it. @default none: the file
   */
  stateUrl: z.string().min(1).optional(),
  /** Source rows per keyset page. @default 500 */
  pageSize: z.number().int().min(1).max(10_000).default(500),
  /**
   * List requests per rolling minute; the list endpoint counts against Dynamic's developer limit
   * (1,500/min per IP). 0 = no client-side limit. @default 1500
   */
  rateLimitPerMinute: z.number().int().min(0).default(1500),
  /** Retries per list request on 429, 5xx and network errors. @default 8 */
  retries: z.number().int().min(0).max(50).default(8),
});
export type ReconcileConfig = z.infer<typeof reconcileConfigSchema>;
