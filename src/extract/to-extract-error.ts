import { ExtractError, MigrateError, coerceError } from '../errors.js';
import { redactSecrets } from './describe-source.js';

/** PostgreSQL SQLSTATEs that mean the mapping names something the database does not have. */
const MISSING_OBJECT_CODES: Record<string, string> = {
  '42P01': 'table',
  '42703': 'column',
  '3F000': 'schema',
};

/**
 * Turns a driver error into an `ExtractError` whose message says what was being read and never
 * carries a secret. The original error is kept as `cause` only when it holds no secret, since
 * loggers print causes too; otherwise a redacted copy (message and SQLSTATE) takes its place.
 */
export function toExtractError(thrown: unknown, doing: string, secrets: readonly string[] = []): Error {
  if (thrown instanceof MigrateError) return thrown;
  const error = coerceError(thrown);
  if (error.name === 'AbortError') return error;
  const code = (error as { code?: unknown }).code;
  const missing = typeof code === 'string' ? MISSING_OBJECT_CODES[code] : undefined;
  const detail = redactSecrets(error.message, secrets);
  const hint = missing ? ` (check the ${missing} names in the mapping's source section)` : '';
  return new ExtractError(`${doing}: ${detail}${hint}`, { cause: safeCause(error, secrets) });
}

function safeCause(error: Error, secrets: readonly string[]): Error {
  const text = `${error.message}\n${error.stack ?? ''}\n${describeFields(error)}`;
  if (!secrets.some((secret) => text.includes(secret))) return error;
  const copy = new Error(redactSecrets(error.message, secrets));
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

function describeFields(error: Error): string {
  try {
    return JSON.stringify(error, Object.getOwnPropertyNames(error));
  } catch {
    return ''; // circular: the message and stack were checked already
  }
}
