import { isIPv4 } from 'node:net';
import type { Argv } from 'yargs';
import { ConfigError } from '../errors.js';
import { secretsOfDatabaseUrl } from '../extract/describe-source.js';
import { registerSecret } from '../shared/scrub-text.js';

/**
 * What every command does with the secrets it resolves: registers them with the scrubber at once
 * (so no output can quote them, see `scrubText`), warns when a password came in a flag, and never
 * sends the token in clear over a network.
 */

/** `--allow-insecure-api-url`, on every command that sends the token. */
export function withInsecureApiUrlOption<T>(yargs: Argv<T>) {
  return yargs.option('allow-insecure-api-url', {
    type: 'boolean',
    default: false,
    describe: 'Send the API token over plain http:// to a host other than this machine (refused otherwise; localhost, 127.0.0.0/8 and ::1 always allowed)',
  });
}

/** Registers the API token and the database URL's password (raw and decoded) as secrets no output may show. */
export function registerCliSecrets(secrets: { token?: string | undefined; databaseUrl?: string | undefined }): void {
  registerSecret(secrets.token);
  if (secrets.databaseUrl) for (const secret of secretsOfDatabaseUrl(secrets.databaseUrl)) registerSecret(secret);
}

/**
 * The warning for a password inside `--database-url` given as a flag, where shell history and
 * `ps` show it; undefined when the flag is absent or holds none. Never quotes the URL.
 */
export function passwordFlagWarning(databaseUrlFlag: string | undefined, names = { flag: '--database-url', env: 'DATABASE_URL' }): string | undefined {
  if (!databaseUrlFlag || !URL.canParse(databaseUrlFlag)) return undefined;
  const url = new URL(databaseUrlFlag);
  if (!url.password && !url.searchParams.has('password')) return undefined;
  return `${names.flag} holds a password, which shell history and process lists (ps) show: set ${names.env} instead`;
}

/** localhost, 127.0.0.0/8 or ::1: traffic that never leaves this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/**
 * Refuses (exit 2) to send the token over plain `http://` to a host that is not this machine, which
 * would show it to anyone on the path, unless `allowInsecure` (`--allow-insecure-api-url`).
 * A URL that does not parse is left to the command's own validation.
 */
export function requireSecureApiUrl(apiUrl: string, allowInsecure: boolean): void {
  if (allowInsecure || !URL.canParse(apiUrl)) return;
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return;
  throw new ConfigError(`refusing to send the API token over plain http:// to ${url.host}: use https://, or pass --allow-insecure-api-url if that network is trusted`);
}
