/** The `check` command's library: compare a mapping with a live schema, map a sample, report. */
export { aggregateSample } from './sample-counter.js';
export {
  checkExitCode,
  type CheckExitCode,
  type CheckReport,
  type CoverageEntry,
  type SampleIssueGroup,
  type SampleReport,
  type SchemaProblem,
  type SchemaProblemKind,
  type TableCheck,
} from './check-report.js';
export { columnKindOf, type ColumnKind } from './column-kind.js';
export { compareRefs, type IntrospectedColumn, type IntrospectedTable, type SchemaSnapshot } from './compare-refs.js';
export { formatCheckReport } from './format-check-report.js';
export { keyProblems, lookupPromiseProblems } from './lookup-promises.js';
export { columnRefsToCheck, tablesOf, type ColumnRef, type TableUse } from './refs-to-check.js';
export { runCheck, type RunCheckOptions } from './run-check.js';
export { suggestName } from './suggest-name.js';
export { findTransformMismatch, type TransformMismatch } from './transform-type-rules.js';
