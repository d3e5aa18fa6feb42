/** The mapping stage: a declarative mapping file → a pure, validated row mapper. */
export { compileMapping } from './compile-mapping.js';
export { loadMappingFile, type LoadedMapping } from './load-mapping-file.js';
export {
  defineMapping,
  mappingSpecSchema,
  oauthRuleSchema,
  scalarFieldSchema,
  sourceSpecSchema,
  walletRuleSchema,
  type MappingSpec,
  type MappingSpecInput,
  type OauthRule,
  type ScalarField,
  type SourceSpec,
  type WalletRule,
} from './mapping-spec.js';
export { childSpecSchema, type ChildSpec } from './source-spec.js';
export { maskValue } from './mask-value.js';
export { parseMapping } from './parse-mapping.js';
export { payloadHash } from './payload-hash.js';
export type { MapResult, Rejection } from './rejection.js';
export type { SourceRow } from './source-row.js';
export { TRANSFORM_NAMES, type TransformName } from './transforms.js';
export { valueSourceSchema, type ValueSource, type ValueSourceInput } from './value-source.js';
export { canonicalJson } from './canonical-json.js';
