import { describe, expect, it } from 'vitest';
import { ConfigError, ExtractError } from '../../../src/errors.js';
import { describeSource, redactSecrets, secretsOfDatabaseUrl } from '../../../src/extract/describe-source.js';
import { orderTerms } from '../../../src/extract/source-sql.js';
import { toExtractError } from '../../../src/extract/to-extract-error.js';

describe('describeSource', () => {
  it('gives host:port/dbname without user or password', () => {
    expect(describeSource('postgres://app:hunter2@db.internal:6543/legacy?sslmode=require')).toBe('db.internal:6543/legacy');
    expect(describeSource('postgresql://app@localhost/legacy')).toBe('localhost:5432/legacy');
    expect(describeSource('postgres:///legacy?host=/run/postgresql')).toBe('/run/postgresql:5432/legacy');
  });

  it('rejects a URL it cannot parse without echoing it', () => {
    expect(() => describeSource('not a url hunter2')).toThrow(ConfigError);
    expect(() => describeSource('not a url hunter2')).not.toThrow(/hunter2/);
    expect(() => describeSource('mysql://u:hunter2@h/db')).toThrow(/postgres:\/\//);
  });
});

describe('redaction', () => {
  it('removes the password, raw and percent-decoded, and the whole URL', () => {
    const url = 'postgres://app:p%40ss%2Fw0rd@db:5432/legacy';
    const secrets = secretsOfDatabaseUrl(url);
    const text = `failed: ${url} (password p@ss/w0rd, encoded p%40ss%2Fw0rd)`;
    expect(redactSecrets(text, secrets)).toBe('failed: [redacted] (password [redacted], encoded [redacted])');
  });

  it('keeps a secret-free cause and replaces one that holds the password', () => {
    const clean = toExtractError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'connecting', ['hunter2']);
    expect(clean).toBeInstanceOf(ExtractError);
    expect((clean.cause as Error).message).toBe('connect ECONNREFUSED');
    const leaky = Object.assign(new Error('bad url postgres://u:hunter2@h/db'), { code: 'ERR_X', input: 'postgres://u:hunter2@h/db' });
    const wrapped = toExtractError(leaky, 'connecting', ['hunter2']);
    expect(wrapped.message).toBe('connecting: bad url postgres://u:[redacted]@h/db');
    expect(wrapped.cause).not.toBe(leaky);
    expect(JSON.stringify(wrapped.cause, Object.getOwnPropertyNames(wrapped.cause))).not.toContain('hunter2');
    expect((wrapped.cause as { code?: string }).code).toBe('ERR_X');
  });
});

describe('orderTerms', () => {
  it('accepts column names with asc/desc and rejects anything else', () => {
    expect(orderTerms('created_at desc, id')).toHaveLength(2);
    expect(orderTerms(undefined)).toEqual([]);
    for (const bad of ['id; drop table users', 'id desc nulls first', '(select 1)', 'id,']) {
      expect(() => orderTerms(bad)).toThrow(ConfigError);
    }
  });
});
