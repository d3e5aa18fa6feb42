import { describe, expect, it } from 'vitest';
import { columnKindOf, findTransformMismatch } from '../../../src/check/index.js';

describe('columnKindOf', () => {
  it('groups PostgreSQL types by the value the mapper receives', () => {
    expect(columnKindOf('character varying', 'varchar')).toBe('text');
    expect(columnKindOf('timestamp with time zone', 'timestamptz')).toBe('timestamp');
    expect(columnKindOf('date', 'date')).toBe('timestamp');
    expect(columnKindOf('boolean', 'bool')).toBe('boolean');
    expect(columnKindOf('bigint', 'int8')).toBe('integer');
    expect(columnKindOf('jsonb', 'jsonb')).toBe('json');
    expect(columnKindOf('ARRAY', '_text')).toBe('array');
    expect(columnKindOf('USER-DEFINED', 'mood')).toBe('unknown');
    expect(columnKindOf('tsvector', 'tsvector')).toBe('unknown');
  });
});

describe('findTransformMismatch', () => {
  it('accepts what each transform documents', () => {
    expect(findTransformMismatch('timestamp', ['isoTimestamp'])).toBeUndefined();
    expect(findTransformMismatch('text', ['isoTimestamp'])).toBeUndefined();
    expect(findTransformMismatch('boolean', ['boolean'])).toBeUndefined();
    expect(findTransformMismatch('integer', ['boolean'])).toBeUndefined();
    expect(findTransformMismatch('text', ['trim', 'lower', 'nullIfEmpty', 'e164'])).toBeUndefined();
  });

  it('rejects boolean on a timestamp and text transforms on non-text', () => {
    expect(findTransformMismatch('timestamp', ['boolean'])).toEqual({ transform: 'boolean', index: 0, got: 'timestamp', accepts: ['boolean', 'text', 'integer'] });
    expect(findTransformMismatch('integer', ['lower'])).toMatchObject({ transform: 'lower', got: 'integer' });
    expect(findTransformMismatch('json', ['trim'])).toMatchObject({ transform: 'trim', got: 'json' });
  });

  it('follows the kind through the chain', () => {
    expect(findTransformMismatch('integer', ['string', 'lower'])).toBeUndefined();
    expect(findTransformMismatch('text', ['boolean', 'lower'])).toMatchObject({ transform: 'lower', index: 1, got: 'boolean' });
    expect(findTransformMismatch('boolean', ['nullIfEmpty', 'trim'])).toMatchObject({ transform: 'trim', index: 1, got: 'boolean' });
  });

  it('never blocks on what it does not know', () => {
    expect(findTransformMismatch('unknown', ['lower', 'boolean'])).toBeUndefined();
    expect(findTransformMismatch('integer', ['someFutureTransform', 'lower'])).toBeUndefined();
  });
});
