import { z } from 'zod';
import { mappingSpecSchema } from './mapping-spec.js';

/**
 * The JSON Schema (draft 2020-12) of a mapping document as written (the input side: string
 * shorthands allowed, defaults optional), for editors: point a JSON mapping's `"$schema"` at the
 * output of `dynamic-migrate schema`. Checks zod cannot express in JSON Schema (a rule's `from`
 * naming a declared child, template syntax, known phone regions) are left to `parseMapping`.
 */
export function mappingJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(mappingSpecSchema, { io: 'input', unrepresentable: 'any', cycles: 'ref', reused: 'inline' });
  return {
    ...schema,
    title: 'dynamic-migrate mapping',
    description: 'Where legacy users come from and how each part of the Dynamic user object is built from them.',
  };
}
