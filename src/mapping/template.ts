import { isColumnRef } from './column-path.js';
import type { ColumnReader } from './column-path.js';
import type { JsonValue } from './to-json-value.js';

/** A template cut into literal text and `{placeholder}` column references. */
export type TemplatePart = { text: string } | { ref: string };

const parsed = new Map<string, TemplatePart[]>();

/**
 * Parses `"{first_name} {last_name}"`; `{{` and `}}` are literal braces. Memoised: a mapping has
 * few templates, each evaluated once per row.
 * @throws Error whose message says what is wrong (the schema turns it into a mapping error)
 */
export function parseTemplate(template: string): TemplatePart[] {
  const known = parsed.get(template);
  if (known) return known;
  const parts: TemplatePart[] = [];
  let literal = '';
  for (let index = 0; index < template.length; index += 1) {
    const char = template[index];
    const next = template[index + 1];
    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      literal += char;
      index += 1;
    } else if (char === '}') {
      throw new Error(`has a "}" at character ${index + 1} that closes nothing (write "}}" for a literal brace)`);
    } else if (char === '{') {
      const end = template.indexOf('}', index);
      if (end < 0) throw new Error(`has a "{" at character ${index + 1} that is never closed (write "{{" for a literal brace)`);
      const ref = template.slice(index + 1, end).trim();
      if (!isColumnRef(ref)) throw new Error(`placeholder {${ref}} is not a column name or JSON path`);
      if (literal) parts.push({ text: literal });
      parts.push({ ref });
      literal = '';
      index = end;
    } else {
      literal += char;
    }
  }
  if (literal) parts.push({ text: literal });
  parsed.set(template, parts);
  return parts;
}

/**
 * Fills a template: null placeholders become "", runs of spaces collapse and the ends are
 * trimmed. When it has placeholders and every one is null or blank, the value is null, so
 * `"{first_name} {last_name}"` of a user with neither is absent rather than "".
 */
export function renderTemplate(template: string, read: (ref: string) => JsonValue): string | null {
  return fillParts(parseTemplate(template), (part) => read(part.ref));
}

/**
 * {@link renderTemplate} for a compiled mapping: the template parsed and its placeholders' column
 * paths split once. A template that does not parse (only an unvalidated spec has one) throws
 * when filled, as it always did, not when compiled.
 */
export function compileTemplate(template: string, readerFor: (ref: string) => ColumnReader): (record: Readonly<Record<string, unknown>>) => string | null {
  let parts: CompiledPart[];
  try {
    parts = parseTemplate(template).map((part) => ('text' in part ? part : { ref: part.ref, read: readerFor(part.ref) }));
  } catch (error) {
    return () => {
      throw error;
    };
  }
  return (record) => fillParts(parts, (part) => part.read(record));
}

type CompiledPart = { text: string } | { ref: string; read: ColumnReader };

function fillParts<P extends { ref: string }>(parts: readonly ({ text: string } | P)[], read: (part: P) => JsonValue): string | null {
  let out = '';
  let placeholders = 0;
  let filled = 0;
  for (const part of parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    placeholders += 1;
    const value = read(part);
    const text = value === null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (text.trim() !== '') filled += 1;
    out += text;
  }
  if (placeholders > 0 && filled === 0) return null;
  return out.replace(/ {2,}/g, ' ').trim();
}
