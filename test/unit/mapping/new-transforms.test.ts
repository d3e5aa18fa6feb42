import { describe, expect, it } from 'vitest';
import { USERNAME_PATTERN } from '../../../src/contract/patterns.js';
import { compileMapping } from '../../../src/mapping/index.js';
import { RowProblem } from '../../../src/mapping/row-problem.js';
import { applyTransform, type TransformContext, type TransformSpec } from '../../../src/mapping/transforms.js';
import { source, spec } from './fixtures.js';

/** Applies a transform and returns its value and the warnings it raised. */
function run(transform: TransformSpec, value: string | number | null, context: Omit<TransformContext, 'warn'> = {}) {
  const warnings: string[] = [];
  const out = applyTransform(transform, value, { ...context, warn: (rule, message) => warnings.push(`${rule}: ${message}`) });
  return { out, warnings };
}

describe('truncate', () => {
  it('cuts to N code points with a warning, leaves shorter text alone', () => {
    expect(run({ truncate: 5 }, 'Alexandra')).toEqual({ out: 'Alexa', warnings: ['truncated: cut from 9 to 5 characters'] });
    expect(run({ truncate: 5 }, 'Ann')).toEqual({ out: 'Ann', warnings: [] });
    expect(run({ truncate: 2 }, '😀😀😀').out).toBe('😀😀');
  });
});

describe('firstName / lastName', () => {
  it.each([
    ['Mary Ann Smith', 'Mary Ann', 'Smith'],
    ['  Ann   Lee ', 'Ann', 'Lee'],
    ['Cher', 'Cher', null],
    ['   ', null, null],
  ])('%j → %j / %j', (full, first, last) => {
    expect(applyTransform('firstName', full)).toBe(first);
    expect(applyTransform('lastName', full)).toBe(last);
  });
});

describe('e164', () => {
  it('formats numbers with +, and local numbers in the region given or the mapping default', () => {
    expect(applyTransform('e164', '+49 151 23456789')).toBe('+4915123456789');
    expect(applyTransform('e164', '(415) 555-2671', { phoneRegion: 'US' })).toBe('+14155552671');
    expect(applyTransform({ e164: { region: 'GB' } }, '020 7946 0958', { phoneRegion: 'US' })).toBe('+442079460958');
    expect(applyTransform('e164', 14155552671 - 10_000_000_000, { phoneRegion: 'US' })).toBe('+14155552671');
  });

  it('rejects an invalid number, and a local one without a region', () => {
    expect(() => applyTransform('e164', '12345', { phoneRegion: 'US' })).toThrow(RowProblem);
    expect(() => applyTransform('e164', '(415) 555-2671')).toThrow(/must start with \+/);
    expect(() => applyTransform('e164', 'call me')).toThrow(RowProblem);
  });
});

describe('countryCode', () => {
  it.each([['de', 'DE'], ['DE', 'DE'], ['deu', 'DE'], ['USA', 'US'], ['Germany', 'DE'], ['united states', 'US'], [' gb ', 'GB']])('%j → %j', (input, code) => {
    expect(applyTransform('countryCode', input)).toBe(code);
  });

  it('rejects an unknown country', () => {
    expect(() => applyTransform('countryCode', 'Atlantis')).toThrow(/countryCode: is not a known country/);
    expect(() => applyTransform('countryCode', 'XX')).toThrow(RowProblem);
  });
});

describe('stripForbidden', () => {
  it('removes emoji, control characters and symbols the name pattern forbids, with a count', () => {
    expect(run('stripForbidden', 'Ann 😀 Lee')).toEqual({ out: 'Ann Lee', warnings: ['stripped: removed 1 character'] });
    expect(run('stripForbidden', '\u0007Zoë™\t')).toEqual({ out: 'Zoë', warnings: ['stripped: removed 3 characters'] });
  });

  it('keeps letters of any script and the allowed punctuation untouched', () => {
    expect(run('stripForbidden', "محمد O'Brien-Smith")).toEqual({ out: "محمد O'Brien-Smith", warnings: [] });
    expect(run('stripForbidden', 'Zoe\u0308').out).toBe('Zoë');
  });

  it('is null when nothing is left', () => {
    expect(run('stripForbidden', '🎉🎉').out).toBeNull();
  });
});

describe('slugUsername', () => {
  it('fits text to the username rule, with a warning when it changed it', () => {
    const long = run('slugUsername', 'John.Smith the Great Esq');
    expect(long).toEqual({ out: 'John_Smith_the_Great', warnings: ['slugified: changed to fit the username rule (letters, digits, _ and -, 3-20 characters)'] });
    expect(USERNAME_PATTERN.test(long.out as string)).toBe(true);
    expect(run('slugUsername', 'jörg-99')).toEqual({ out: 'jörg-99', warnings: [] });
    expect(run('slugUsername', 'a@b!c#').out).toBe('abc');
  });

  it('gives null with username_unusable when fewer than 3 characters remain', () => {
    expect(run('slugUsername', '😀x!')).toEqual({ out: null, warnings: ['username_unusable: fewer than 3 usable characters remain, so no username is sent'] });
    expect(run('slugUsername', '   ')).toEqual({ out: null, warnings: [] });
  });
});

describe('boolean spellings', () => {
  it('accepts y/n and on/off', () => {
    for (const word of ['y', 'Y', 'on', 'ON']) expect(applyTransform('boolean', word)).toBe(true);
    for (const word of ['n', 'off', 'Off']) expect(applyTransform('boolean', word)).toBe(false);
  });
});

describe('NULL and non-text', () => {
  it('passes null through the new transforms and rejects non-text', () => {
    for (const transform of ['firstName', 'lastName', 'e164', 'countryCode', 'stripForbidden', 'slugUsername', { truncate: 3 }] as const) {
      expect(applyTransform(transform, null)).toBeNull();
    }
    expect(() => applyTransform({ truncate: 3 }, 12)).toThrow(/truncate: expects text/);
  });
});

describe('warnings in the map result', () => {
  const map = compileMapping(
    spec({
      options: { phoneRegion: 'US' },
      fields: {
        firstName: { column: 'first', transforms: ['stripForbidden'] },
        username: { column: 'login', transforms: ['slugUsername'] },
        jobTitle: { column: 'title', transforms: [{ truncate: 10 }] },
        phoneNumber: { column: 'phone', transforms: ['e164'] },
      },
      wallets: [{ from: 'wallets', address: 'address', chain: { constant: 'ETH' }, walletName: { column: 'name', transforms: [{ truncate: 4 }] }, walletProvider: { constant: 'browserExtension' } }],
    }),
  );

  it('carries field, rule and message but no value, on ok results', () => {
    const result = map(
      source(
        { first: 'Ann🎉', login: 'ann.lee', title: 'Chief Executive Officer', phone: '415 555 2671' },
        { wallets: [{ address: '0x52908400098527886E0F7030069857D2E4169EE7', name: 'Metamask' }] },
      ),
    );
    expect(result.ok).toBe(true);
    expect(result.ok && result.payload).toMatchObject({ firstName: 'Ann', username: 'ann_lee', jobTitle: 'Chief Exec', phoneNumber: '+14155552671' });
    expect(result.warnings).toEqual([
      { legacyId: '42', field: 'firstName', rule: 'stripped', message: 'removed 1 character' },
      { legacyId: '42', field: 'username', rule: 'slugified', message: expect.any(String) as string },
      { legacyId: '42', field: 'jobTitle', rule: 'truncated', message: 'cut from 23 to 10 characters' },
      { legacyId: '42', field: 'wallets[0].walletName', rule: 'truncated', message: 'cut from 8 to 4 characters' },
    ]);
    expect(JSON.stringify(result.warnings)).not.toContain('Ann');
  });

  it('leaves warnings out when there are none, and keeps them on rejected rows', () => {
    const clean = map(source({ first: 'Ann', login: 'ann', title: 'CEO', phone: '+14155552671' }));
    expect(clean.ok).toBe(true);
    expect(clean).not.toHaveProperty('warnings');
    const rejected = map(source({ first: 'Ann🎉', login: 'ann', title: 'CEO', phone: '12' }));
    expect(rejected.ok).toBe(false);
    expect(!rejected.ok && rejected.rejections.map((r) => [r.field, r.rule])).toEqual([['phoneNumber', 'transform']]);
    expect(rejected.warnings?.map((w) => w.rule)).toEqual(['stripped']);
  });

  it('drops the warnings of a firstOf candidate that was passed over', () => {
    const mapping = compileMapping(spec({ fields: { email: 'email', username: { firstOf: [{ column: 'a', transforms: ['slugUsername'] }, 'b'] } } }));
    const result = mapping(source({ email: 'bob@example.com', a: '!!', b: 'bob' }));
    expect(result.ok && result.payload.username).toBe('bob');
    expect(result.warnings).toBeUndefined();
  });
});

describe('json', () => {
  it('parses text holding JSON, passes parsed JSON through, and rejects text that is not JSON', () => {
    expect(run('json', '{"id":7,"tags":["a"]}').out).toEqual({ id: 7, tags: ['a'] });
    expect(applyTransform('json', { already: 'parsed' })).toEqual({ already: 'parsed' });
    expect(() => run('json', '{not json')).toThrow(RowProblem);
  });
});
