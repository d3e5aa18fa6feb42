import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError } from '../../../src/errors.js';
import { openStatePool, toStateError } from '../../../src/scale/state-pool.js';

const URL_WITH_PASSWORD = 'postgres://migrator:p%40ss%2FSecret9@state.internal:6543/migration_state';
const everything = (error: Error) => [error.message, error.stack, JSON.stringify(error, Object.getOwnPropertyNames(error)), String(error.cause), JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause ?? {}))].join('\n');

describe('openStatePool', () => {
  it('names a URL by host, port and database, and knows its password raw and decoded', async () => {
    const state = openStatePool(URL_WITH_PASSWORD, { applicationName: 'test' });
  afterAll(() => state.close());
    try {
      expect(state.where).toBe('state.internal:6543/migration_state');
      expect(state.secrets).toEqual(expect.arrayContaining([URL_WITH_PASSWORD, 'p%40ss%2FSecret9', 'p@ss/Secret9']));
    } finally {
      await state.close();
    }
  });

  it('finds the secrets of a pool it is given, and leaves that pool to its owner', async () => {
    const byUrl = new pg.Pool({ connectionString: URL_WITH_PASSWORD });
    const byFields = new pg.Pool({ host: 'state.internal', port: 6543, database: 'migration_state', password: 'field-Secret9' });
    try {
      expect(openStatePool(byUrl, { applicationName: 'test' }).secrets).toContain('p@ss/Secret9');
      const fields = openStatePool(byFields, { applicationName: 'test' });
      expect(fields.where).toBe('state.internal:6543/migration_state');
      expect(fields.secrets).toContain('field-Secret9');
      await fields.close();
      expect(byFields.ended).toBe(false);
    } finally {
      await Promise.all([byUrl.end(), byFields.end()]);
    }
  });
});

describe('toStateError', () => {
  const state = openStatePool(URL_WITH_PASSWORD, { applicationName: 'test' });
  afterAll(() => state.close());

  it('says what failed and where, with the password gone from the message and the cause', () => {
    // A driver message that quotes the URL and the decoded password, as a URL parser's does.
    const leaky = Object.assign(new Error(`cannot connect to ${URL_WITH_PASSWORD} with password p@ss/Secret9`), { code: '08001' });
    const error = toStateError(leaky, 'claiming a chunk', state);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code).toBe('state_database_error');
    expect(error.message).toMatch(/^claiming a chunk \(state database state\.internal:6543\/migration_state\): /);
    expect(everything(error)).not.toContain('Secret9');
    expect((error.cause as { code?: string }).code).toBe('08001');
  });

  it('passes our own errors and aborts through as they are', () => {
    const own = new ConfigError('bad option');
    expect(toStateError(own, 'x', state)).toBe(own);
    const abort = new DOMException('stopped', 'AbortError');
    expect(toStateError(abort, 'x', state)).toBe(abort);
  });
});
