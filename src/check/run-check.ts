import { scrubMessage } from '../checkpoint/scrub-message.js';
import { ExtractError } from '../errors.js';
import { readSourcePages, type SourceDb, type SourceRow } from '../extract/index.js';
import { compileMapping, type MappingSpec, type MapResult } from '../mapping/index.js';
import { checkExitCode, type CheckReport, type SampleReport, type SchemaProblem } from './check-report.js';
import { compareRefs } from './compare-refs.js';
import { introspectSchema } from './introspect-schema.js';
import { keyProblems, lookupPromiseProblems } from './lookup-promises.js';
import { columnRefsToCheck, tablesOf } from './refs-to-check.js';
import { aggregateSample } from './sample-counter.js';

/** What {@link runCheck} checks, and against which database. */
export interface RunCheckOptions {
  /** The parsed mapping. */
  spec: MappingSpec;
  /** The mapping file as the user named it (shown in the report). */
  mappingFile: string;
  /** A read-only handle on the legacy database (`connectSource`); the caller destroys it. */
  db: SourceDb;
  /** `host:port/db` of the database (`describeSource`), never the URL. */
  source: string;
  /**
   * Source rows to map; 0 checks the structure only.
   * @default 1000 (set by the CLI)
   */
  sample: number;
  signal?: AbortSignal;
}

/**
 * Checks a mapping against a live database before any data moves: every table and column it
 * names must exist with a type its transforms accept (all problems reported at once), then the
 * first `sample` rows are mapped for coverage, rejects and warnings. The sample is skipped when
 * the structure is wrong, since its rows would only repeat the structural errors.
 * Throws `ExtractError` when the database cannot be read at all.
 */
export async function runCheck(opts: RunCheckOptions): Promise<CheckReport> {
  const tableUses = tablesOf(opts.spec);
  const refs = columnRefsToCheck(opts.spec);
  const schema = await introspectSchema(opts.db, tableUses.map((use) => use.table));
  const problems: SchemaProblem[] = [...compareRefs(tableUses, refs, schema), ...keyProblems(opts.spec, schema)];

  let sample: SampleReport | null = null;
  if (opts.sample > 0 && !problems.some((problem) => problem.severity === 'error')) {
    try {
      const { rows, results } = await sampleRows(opts.db, opts.spec, opts.sample, opts.signal);
      sample = aggregateSample(opts.spec, results, opts.sample);
      problems.push(...lookupPromiseProblems(opts.spec, rows));
    } catch (error) {
      if (!(error instanceof ExtractError)) throw error;
      // The schema matched, so a failing read is the mapping's own SQL (a raw filter, most likely).
      // The database's text may quote a value or a credential: scrubbed for both the text and the JSON report.
      problems.push({ severity: 'error', kind: 'sample_failed', usedBy: ['source'], message: `reading the sample failed: ${scrubMessage(error.message) ?? ''}` });
    }
  }
  return {
    mapping: opts.mappingFile,
    source: opts.source,
    tables: tableUses.map(({ table, usedBy }) => {
      const found = schema.tables.get(table);
      return { table, usedBy, resolved: found?.resolved ?? null, columns: found?.columns.length ?? 0 };
    }),
    columnsChecked: refs.length,
    problems,
    sample,
    sound: !problems.some((problem) => problem.severity === 'error'),
    exitCode: checkExitCode(problems, sample),
  };
}

/** Largest page read at once while sampling. */
const MAX_PAGE = 500;

/**
 * Maps the first `count` source rows in primary-key order (the source filter applied), exactly as
 * `run` would: the extractor's keyset pages and the compiled mapper; the rows as read come back
 * beside their results (for what the lookups found; the mapper has added its lookup and pick
 * records to them). Read-only; throws `ExtractError` when a query fails.
 */
async function sampleRows(db: SourceDb, spec: MappingSpec, count: number, signal?: AbortSignal): Promise<{ rows: SourceRow[]; results: MapResult[] }> {
  const map = compileMapping(spec);
  const rows: SourceRow[] = [];
  const results: MapResult[] = [];
  if (count <= 0) return { rows, results };
  const pageSize = Math.min(count, MAX_PAGE);
  for await (const page of readSourcePages(db, spec.source, { after: null, pageSize, ...(signal ? { signal } : {}) })) {
    for (const row of page) {
      rows.push(row);
      results.push(map(row));
      if (results.length >= count) return { rows, results };
    }
  }
  return { rows, results };
}
