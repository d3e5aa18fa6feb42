/** The run report: report.json, report.html and rejects.csv, collected in bounded memory from the pipeline's hooks. */
export { createRunReport, type RunReport, type RunReportFiles, type RunReportOptions } from './create-run-report.js';
export type { DuplicateCluster, DuplicateClusterSource, DuplicateSummary } from './duplicate-clusters.js';
export { reportDuplicates } from './report-duplicates.js';
export type { FailureGroup, ReportCoverage, ReportJson, ReportSample, ReportTarget, ReportTotals } from './report-json.js';
