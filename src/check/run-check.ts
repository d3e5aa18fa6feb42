import { scrubMessage } from '../checkpoint/scrub-message.js';
import { ExtractError } from '../errors.js';
import type { SourceDb } from '../extract/index.js';
import type { MappingSpec } from '../mapping/index.js';
import { aggregateSample } from './aggregate-sample.js';
import { checkExitCode, type CheckReport, type SampleReport, type SchemaProblem } from './check-report.js';
import { compareRefs } from './compare-refs.js';
import { introspectSchema } from './introspect-schema.js';
import { keyProblems, lookupPromiseProblems } from './lookup-promises.js';
import { columnRefsToCheck, tablesOf } from './refs-to-check.js';
import { sampleRows } from './sample-rows.js';

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
