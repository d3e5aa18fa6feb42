import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { schemaCommand } from '../../../src/cli/commands/schema.js';
import { mappingJsonSchema } from '../../../src/mapping/index.js';

/** Runs the `schema` command's handler and returns what it printed. */
async function printedSchema(): Promise<string> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await schemaCommand.handler({ _: ['schema'], $0: 'dynamic-migrate' });
  } finally {
    write.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('dynamic-migrate schema', () => {
  it('prints the mapping JSON Schema, pretty-printed, naming every value source kind', async () => {
    const text = await printedSchema();
    expect(text).toMatch(/^\{\n {2}"\$schema": "https:\/\/json-schema\.org\/draft\/2020-12\/schema"/);
    const schema = JSON.parse(text) as { $defs: Record<string, unknown>; properties: Record<string, unknown> };
    expect(schema).toEqual(mappingJsonSchema());
    const valueSource = JSON.stringify(schema.$defs.ValueSource);
    for (const kind of ['"column"', '"constant"', '"template"', '"firstOf"', '"when"', '"then"', '"else"', '"transforms"', '"truncate"', '"e164"']) {
      expect(valueSource).toContain(kind);
    }
    expect(Object.keys(schema.$defs)).toEqual(expect.arrayContaining(['Condition', 'SourceFilter', 'ValueSource']));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['$schema', 'source', 'fields', 'metadata', 'wallets', 'oauthAccounts', 'options']));
    expect(JSON.stringify(schema.properties.source)).toContain('schema-qualified');
  });

  it('accepts mappings/example.json and refuses a broken copy (checked by zod rebuilt from the JSON Schema)', async () => {
    const check = z.fromJSONSchema(JSON.parse(await printedSchema()) as Parameters<typeof z.fromJSONSchema>[0]);
    const example = JSON.parse(await readFile('mappings/example.json', 'utf8')) as Record<string, unknown>;
    expect(check.safeParse(example).success).toBe(true);
    expect(check.safeParse({ ...example, $schema: './mapping.schema.json', options: { phoneRegion: 'US' } }).success).toBe(true);
    expect(check.safeParse({ ...example, fields: { email: { column: 'email', transforms: ['lwr'] } } }).success).toBe(false);
    expect(check.safeParse({ ...example, fields: { emial: 'email' } }).success).toBe(false);
    expect(check.safeParse({ ...example, source: { table: 'users' } }).success).toBe(false);
    const rich = {
      ...example,
      fields: { alias: { template: '{a} {b}' }, firstName: { firstOf: ['a.b.0', { when: { any: [{ isNull: 'x' }, { in: { column: 'y', values: [1] } }] }, then: { constant: 'z' } }] } },
    };
    expect(check.safeParse(rich).success).toBe(true);
  });
});
