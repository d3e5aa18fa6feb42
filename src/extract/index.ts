export { connectSource, type ConnectSourceOptions, type SourceDb } from './connect-source.js';
export { countSourceRows } from './count-source-rows.js';
export { describeSource, redactSecrets, secretsOfDatabaseUrl } from './describe-source.js';
export { readSourcePages, type ReadSourcePagesOptions } from './read-source-pages.js';
export type { SourceRow } from './source-row.js';
export type { SourceChildSpec, SourceSpec } from './source-spec.js';
