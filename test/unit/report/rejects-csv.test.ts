import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRejectsCsv, rejectsCsvLine } from '../../../src/report/rejects-csv.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('rejects.csv', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 says', () => {
    const line = rejectsCsvLine({ legacyId: 'a,b', field: 'email', rule: 'pattern', value: 'x"y (3 chars)', message: 'line\nbreak' });
    expect(line).toBe('"a,b",email,pattern,"x""y (3 chars)","line\nbreak"\r\n');
  });

  it('defuses spreadsheet formulas in values and messages, never in row ids', () => {
    const line = rejectsCsvLine({ legacyId: '-5', field: 'firstName', rule: 'pattern', value: '=…) (9 chars)', message: '@SUM' });
    expect(line).toBe("-5,firstName,pattern,'=…) (9 chars),'@SUM\r\n");
  });

  it('writes a header and one line per rejection, mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-csv-'));
    dirs.push(dir);
    const writer = openRejectsCsv(join(dir, 'rejects.csv'));
    writer.write({ legacyId: '1', field: 'email', rule: 'pattern', message: 'does not match', value: 'n…l (9 chars)' });
    writer.write({ legacyId: '2', field: 'wallets[0].chain', rule: 'value_map', message: 'no mapping' });
    await writer.close();
    expect(writer.rows).toBe(2);
    expect(readFileSync(writer.path, 'utf8')).toBe(
      'row_id,field,rule,masked_value,message\r\n1,email,pattern,n…l (9 chars),does not match\r\n2,wallets[0].chain,value_map,,no mapping\r\n',
    );
    expect(statSync(writer.path).mode & 0o777).toBe(0o600);
  });
});
