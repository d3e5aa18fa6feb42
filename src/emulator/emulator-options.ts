import { ENVIRONMENT_ID_PATTERN } from '../contract/index.js';
import { ConfigError } from '../errors.js';

/** Token the emulator accepts when none is configured. */
export const DEFAULT_EMULATOR_TOKEN = 'dyn_emulator_token';

/** Structured logger; pino's `Logger` fits. The emulator never logs tokens or user data. */
export interface EmulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The one bearer token accepted. @default 'dyn_emulator_token' */
  token?: string;
  /** If given, the token may only use these environments; others get 403. @default undefined (any) */
  environmentIds?: string[];
  /** Bulk requests per minute per client IP (sliding window); 0 = unlimited. @default 150 */
  rateLimitPerMinute?: number;
  /**
   * Requests per window to one environment, from all client IPs together, bulk and every other
   * environment route alike (Dynamic allows 3,000 developer requests a minute per environment);
   * 0 = unlimited. Its window is `rateLimitWindowMs`. @default 0
   */
  environmentRateLimit?: number;
  /** Length of the rate-limit windows (per IP and per environment); shorter than a minute only to rehearse 429 handling quickly. @default 60000 */
  rateLimitWindowMs?: number;
  /** Probability (0..1) of an injected 500/502/503, before anything is stored. @default 0 */
  failureRate?: number;
  /** Probability (0..1) of adding `latencyMs` to a bulk request. @default 0 */
  latencyRate?: number;
  /** Added latency, in milliseconds. @default 1000 */
  latencyMs?: number;
  /** Probability (0..1) that the users are stored, then the connection destroyed unanswered. @default 0 */
  dropRate?: number;
  /** Probability (0..1) of a spurious 429 (`Retry-After: 1`, plain-text body, nothing stored). @default 0 */
  spurious429Rate?: number;
  /**
   * Send `RateLimit-*` / `X-RateLimit-*` headers with bulk answers: an emulator courtesy, since
   * Dynamic documents only 429 + Retry-After. Turn off to rehearse against what Dynamic promises.
   * @default true
   */
  rateLimitHeaders?: boolean;
  /** Seed of the fault PRNG, for reproducible runs. @default a random seed */
  seed?: number;
  /** JSON file holding the users across restarts (mode 0600). @default undefined (memory only) */
  stateFile?: string;
  /** @default undefined (silent) */
  logger?: EmulatorLogger;
  /** Clock, in ms since the epoch; for tests. @default Date.now */
  now?: () => number;
}

export type ResolvedEmulatorOptions = Required<Omit<EmulatorOptions, 'environmentIds' | 'stateFile' | 'logger'>> &
  Pick<EmulatorOptions, 'environmentIds' | 'stateFile' | 'logger'>;

const probability = (name: string, value: number | undefined): number => {
  const v = value ?? 0;
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new ConfigError(`${name} must be a probability between 0 and 1, got ${v}`);
  return v;
};

const nonNegativeInt = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got ${value}`);
  return value;
};

/** Applies defaults and checks ranges; throws ConfigError with a one-line reason. */
export function resolveEmulatorOptions(options: EmulatorOptions): ResolvedEmulatorOptions {
  for (const id of options.environmentIds ?? []) {
    if (!ENVIRONMENT_ID_PATTERN.test(id)) throw new ConfigError(`environment id "${id}" is not a lower-case UUID`);
  }
  const token = options.token ?? DEFAULT_EMULATOR_TOKEN;
  if (token === '') throw new ConfigError('the emulator token must not be empty');
  return {
    port: nonNegativeInt('port', options.port ?? 0),
    host: options.host ?? '127.0.0.1',
    token,
    environmentIds: options.environmentIds,
    rateLimitPerMinute: nonNegativeInt('rateLimitPerMinute', options.rateLimitPerMinute ?? 150),
    environmentRateLimit: nonNegativeInt('environmentRateLimit', options.environmentRateLimit ?? 0),
    rateLimitWindowMs: nonNegativeInt('rateLimitWindowMs', options.rateLimitWindowMs ?? 60_000),
    failureRate: probability('failureRate', options.failureRate),
    latencyRate: probability('latencyRate', options.latencyRate),
    latencyMs: nonNegativeInt('latencyMs', options.latencyMs ?? 1000),
    dropRate: probability('dropRate', options.dropRate),
    spurious429Rate: probability('spurious429Rate', options.spurious429Rate),
    rateLimitHeaders: options.rateLimitHeaders ?? true,
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
    stateFile: options.stateFile,
    logger: options.logger,
    now: options.now ?? Date.now,
  };
}
