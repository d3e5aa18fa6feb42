/** The run report: report.json, report.html and rejects.csv, collected in bounded memory from the pipeline's hooks. */
export { createRunReport, type RunReport, type RunReportFiles, type RunReportOptions } from './create-run-report.js';
export type { DuplicateCluster, DuplicateClusterSource, DuplicateSummary } from './duplicate-clusters.js';
export { reportDuplicates } from './report-duplicates.js';
export { MAX_REPORTED_CLUSTERS, REPORT_VERSION, type FailureGroup, type ReportCoverage, type ReportJson, type ReportSample, type ReportTarget, type ReportTotals } from './report-json.js';
export { buildReportJson, reportTotals } from './build-report-json.js';
export { renderReportHtml } from './render-report-html.js';
export { maskPayload } from './mask-payload.js';
export { escapeHtml } from './escape-html.js';
export { rejectsCsvLine } from './rejects-csv.js';
