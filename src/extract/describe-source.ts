import { ConfigError } from '../errors.js';

/** Parses a `postgres://` URL; never echoes the URL itself, which may hold a password. */
function parseDatabaseUrl(databaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError('the database URL is not a valid URL (expected postgres://user:password@host:port/dbname)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`the database URL must start with postgres:// or postgresql://, not ${url.protocol}//`);
  }
  return url;
}

/**
 * `host:port/dbname` of a database URL, without user or password: safe for logs, error messages
 * and the job fingerprint (so a password rotation does not look like a different source).
 * Throws `ConfigError` when the URL cannot be parsed.
 */
export function describeSource(databaseUrl: string): string {
  const url = parseDatabaseUrl(databaseUrl);
  // A Unix-socket URL (`postgres:///db?host=/run/postgresql`) names its host in the query string.
  const host = decodeURIComponent(url.hostname) || url.searchParams.get('host') || 'localhost';
  const port = url.port || url.searchParams.get('port') || '5432';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres';
  return `${host}:${port}/${database}`;
}

/**
 * The strings that must never appear in a message about this URL: the password (raw and
 * percent-decoded) and the full URL.
 */
export function secretsOfDatabaseUrl(databaseUrl: string): string[] {
  const secrets = [databaseUrl];
  try {
    const url = new URL(databaseUrl);
    if (url.password) secrets.push(url.password, decodeURIComponent(url.password));
    const queryPassword = url.searchParams.get('password');
    if (queryPassword) secrets.push(queryPassword);
  } catch {
    // An unparsable URL has no password we can find; the URL itself is still redacted.
  }
  // Longest first, so the URL is replaced as a whole before its password inside it.
  return [...new Set(secrets)].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
}

/** Replaces every secret in `text` with `[redacted]`, as `scrubText` does. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((redacted, secret) => redacted.split(secret).join('[redacted]'), text);
}
