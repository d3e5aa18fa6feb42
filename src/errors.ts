/**
 * The few error classes of dynamic-migrate. Each carries a stable `code` and the data needed to act
 * on it (file, field path, row id, HTTP status); the original error travels in `cause`.
 * Messages never include secrets: tokens and connection passwords are redacted before they get here.
 */

export abstract class MigrateError extends Error {
  abstract readonly code: string;
  /** Exit code the CLI maps this error to. */
  readonly exitCode: number = 1;
}

/** Bad flags, environment or files: exit 2 with a one-line reason. */
export class ConfigError extends MigrateError {
  readonly code = 'config_error';
  override readonly exitCode = 2;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** A mapping document that cannot be used: names the file and the path inside it. */
export class MappingError extends MigrateError {
  readonly code = 'mapping_error';
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${path ? `${path}: ` : ''}${reason}`, options);
    this.name = 'MappingError';
  }
}

/** Reading the legacy database failed. */
export class ExtractError extends MigrateError {
  readonly code = 'extract_error';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExtractError';
  }
}

/** A bulk request that cannot succeed by retrying (401/403/400/422), or whose retries ran out. */
export class LoadError extends MigrateError {
  readonly code: string;
  constructor(
    message: string,
    readonly details: { status?: number; batch?: number; attempt?: number; code?: string; mayHaveLanded?: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LoadError';
    this.code = details.code ?? 'load_error';
  }

  /** 401/403: the token or environment is wrong; no later batch can succeed either. */
  get isAuthFailure(): boolean {
    return this.details.status === 401 || this.details.status === 403;
  }
}

/** The checkpoint database is missing, damaged, or belongs to another job. */
export class CheckpointError extends MigrateError {
  readonly code: string;
  override readonly exitCode: number;
  constructor(message: string, details: { code?: string; exitCode?: number } = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckpointError';
    this.code = details.code ?? 'checkpoint_error';
    this.exitCode = details.exitCode ?? 1;
  }
}

/** Turns anything thrown into an Error, as graphile-worker's `coerceError` does. */
export function coerceError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
