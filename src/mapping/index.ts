/** The mapping stage: a declarative mapping file → a pure, validated row mapper. */
export { compileMapping, type RowMapper } from './compile-mapping.js';
export { collectColumnRefs, type ColumnRef } from './column-refs.js';
export { columnsToRead, type ColumnsToRead } from './columns-to-read.js';
export { loadMappingFile, type LoadedMapping } from './load-mapping-file.js';
export {
  defineMapping,
  mappingJsonSchema,
  mappingSpecSchema,
  type MappingOptions,
  type MappingSpec,
  type MappingSpecInput,
  type OauthRule,
  type RuleFrom,
  type ScalarField,
  type WalletRule,
} from './mapping-spec.js';
export { hiddenColumnNames, userKeyOf } from './source-spec.js';
export type { Condition } from './condition.js';
export { parseMapping } from './parse-mapping.js';
export { foldIndexes, type MapResult, type MapWarning, type Rejection } from './rejection.js';
export type { SourceRow } from './source-row.js';
export type { TransformName, TransformSpec } from './transforms.js';
export type { ValueSource, ValueSourceInput } from './value-source.js';
export { canonicalJson, payloadHash } from './canonical-json.js';
