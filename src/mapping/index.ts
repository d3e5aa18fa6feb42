/** The mapping stage: a declarative mapping file → a pure, validated row mapper. */
export { compileMapping, type RowMapper } from './compile-mapping.js';
export { collectColumnRefs, type ColumnRef } from './column-refs.js';
export { columnsToRead, type ColumnsToRead } from './columns-to-read.js';
export { loadMappingFile, type LoadedMapping } from './load-mapping-file.js';
export {
  defineMapping,
  mappingOptionsSchema,
  mappingSpecSchema,
  oauthRuleSchema,
  scalarFieldSchema,
  sourceSpecSchema,
  walletRuleSchema,
  type MappingOptions,
  type MappingSpec,
  type MappingSpecInput,
  type OauthRule,
  type RuleFrom,
  type ScalarField,
  type SourceSpec,
  type WalletRule,
} from './mapping-spec.js';
export { childSpecSchema, hiddenColumnNames, sourceFilterSchema, userKeyOf, type ChildSpec, type FilterValue, type LookupSpec, type PickSpec, type SourceFilter } from './source-spec.js';
export type { Condition } from './condition.js';
export { mappingJsonSchema } from './mapping-json-schema.js';
export { parseMapping } from './parse-mapping.js';
export { payloadHash } from './payload-hash.js';
export { foldIndexes, type MapResult, type MapWarning, type Rejection } from './rejection.js';
export type { SourceRow } from './source-row.js';
export { TRANSFORM_NAMES, transformNameOf, type TransformName, type TransformSpec } from './transforms.js';
export { valueSourceSchema, type ValueSource, type ValueSourceInput } from './value-source.js';
export { canonicalJson } from './canonical-json.js';
