import { MappingError } from '../errors.js';
import { describeMappingIssues } from './describe-mapping-issues.js';
import { mappingSpecSchema } from './mapping-spec.js';
import type { MappingSpec } from './mapping-spec.js';

/**
 * Validates a mapping document (the default export of a mapping module, or parsed JSON) and
 * returns it normalised: shorthands expanded, defaults filled in. Pure.
 *
 * @param file - name of the document, used in the error only
 * @throws MappingError naming the file and the path of the first problem, e.g.
 *   `mappings/x.json: fields.email.transforms[1]: unknown transform "lwr"`
 */
export function parseMapping(document: unknown, file: string): MappingSpec {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new MappingError(file, '', 'must be an object: `export default defineMapping({ ... })`, or a JSON object');
  }
  const result = mappingSpecSchema.safeParse(document, { reportInput: true });
  if (result.success) {
    // `$schema` is for editors only: dropped so it changes neither the spec nor its hash.
    const { $schema: _schema, ...spec } = result.data;
    return spec;
  }
  const [first, ...others] = describeMappingIssues(result.error.issues);
  if (!first) throw new MappingError(file, '', 'is not a valid mapping');
  const more = others.length > 0 ? ` (and ${others.length} more: ${others.map((issue) => issue.path || '(document)').join(', ')})` : '';
  throw new MappingError(file, first.path, `${first.reason}${more}`);
}
