import { describe, expect, it } from 'vitest';
import { aggregateSample, checkExitCode, formatCheckReport, type CheckReport, type SchemaProblem } from '../../../src/check/index.js';
import { compileMapping } from '../../../src/mapping/index.js';
import { source, spec } from '../mapping/fixtures.js';

// Every user has a phone number to sign in with, so that a user without an email still maps.
const mapping = spec({ fields: { email: 'email', phoneNumber: { constant: '+14155552671' } } });

function report(problems: SchemaProblem[], emails: (string | null)[] | null): CheckReport {
  const map = compileMapping(mapping);
  const sample = emails && aggregateSample(mapping, emails.map((email, i) => map(source({ email }, {}, String(i + 1)))), 100);
  const exitCode = checkExitCode(problems, sample);
  return {
    mapping: 'm.json', source: 'db:5432/legacy',
    tables: [{ table: 'users', usedBy: ['source.table'], resolved: 'public.users', columns: 3 }],
    columnsChecked: 2, problems, sample, sound: exitCode !== 2, exitCode,
  };
}

describe('formatCheckReport', () => {
  it('shows coverage and a clean verdict for a sound mapping whose sample maps', () => {
    const text = formatCheckReport(report([], ['a@x.io', null]));
    expect(text).toContain('Checking m.json against db:5432/legacy');
    expect(text).toMatch(/users\s+public\.users, 3 columns/);
    expect(text).toMatch(/email\s+1\s+50\.0%/);
    expect(text).toContain('Rejects: none');
    expect(text).toMatch(/Result: the mapping is sound and every sampled row maps \(exit 0\)\n$/);
  });

  it('lists rejects with example ids and masked values only', () => {
    const text = formatCheckReport(report([], ['a@x.io', 'bob-at-example']));
    expect(text).toMatch(/email \w+: 1 row, e\.g\. 2 \(b…e \(14 chars\)\)/);
    expect(text).not.toContain('bob-at-example');
    expect(text).toContain('1 sampled row would be rejected (exit 3)');
  });

  it('lists every schema problem, errors first, and skips the sample', () => {
    const text = formatCheckReport(report([
      { severity: 'warning', kind: 'json_in_text', usedBy: ['fields.x'], message: 'a warning' },
      { severity: 'error', kind: 'missing_column', usedBy: ['fields.email'], message: 'users.emial: no such column' },
    ], null));
    expect(text).toContain('Schema: 1 error, 1 warning\n  error    users.emial: no such column\n  warning  a warning');
    expect(text).toContain('Sample: skipped until the schema problems are fixed');
    expect(text).toContain('does not fit the database (exit 2)');
  });
});
