import { PostgresQueryCompiler, createQueryId, type RawBuilder } from 'kysely';
import pg from 'pg';
import { ExtractError } from '../errors.js';

/** pg's own conversion of a bound value to the text it sends (not in pg's type declarations). */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;

/**
 * Compiles a query with every bound value written into the SQL instead of sent as a parameter:
 * `COPY (query) TO STDOUT` takes no parameters. Each value becomes the text pg would have sent
 * for it, as a string literal of unknown type, so PostgreSQL casts it from the context exactly as
 * it types a parameter (`"id" > '42'`, `"user_id" = any('{"1","2"}')`). Quoting is that of pg's
 * `escapeLiteral` (see {@link quoteLiteral}), so a value cannot end its literal.
 */
class InlineValuesCompiler extends PostgresQueryCompiler {
  protected override appendValue(value: unknown): void {
    this.append(literalOf(value));
  }
}

function literalOf(value: unknown): string {
  const text = isTextArray(value) ? textArrayText(value) : prepareValue(value);
  if (text === null) return 'null';
  if (typeof text !== 'string') throw new ExtractError(`cannot write a ${Buffer.isBuffer(text) ? 'binary' : typeof text} value into a COPY query`);
  return quoteLiteral(text);
}

/**
 * `pg.escapeLiteral(text)` without its leading space: quotes doubled, and backslashes doubled in an
 * `E'…'` literal when there are any. pg's builds the literal a character at a time, and a page's
 * child query carries its 500 keys as one array literal: ~600 bytes of garbage a user.
 */
export function quoteLiteral(text: string): string {
  const quoted = `'${text.replaceAll("'", "''")}'`;
  return text.includes('\\') ? `E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}

const isTextArray = (value: unknown): value is readonly string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * What `prepareValue` makes of an array of strings (a page's keys, in its child queries): each
 * element double-quoted with its backslashes and quotes escaped. pg's runs two regular expressions
 * per element and concatenates them one by one; here only an element with something to escape is
 * searched at all. Tested against `prepareValue`.
 */
export function textArrayText(items: readonly string[]): string {
  return `{${items.map((item) => (/[\\"]/.test(item) ? `"${item.replace(/[\\"]/g, '\\$&')}"` : `"${item}"`)).join(',')}}`;
}

/** The SQL of `query`, values inlined (for COPY), and the same query with parameters (its shape). */
export function compileForCopy(query: RawBuilder<unknown>): { inlined: string; shape: ReturnType<PostgresQueryCompiler['compileQuery']> } {
  const node = query.toOperationNode();
  return {
    inlined: new InlineValuesCompiler().compileQuery(node, createQueryId()).sql,
    shape: new PostgresQueryCompiler().compileQuery(node, createQueryId()),
  };
}
