import type { MappingSpec, MapResult } from '../mapping/index.js';
import type { SampleReport } from './check-report.js';
import { SampleCounter } from './sample-counter.js';

/** Rows named per reject or warning group: enough to look one up, few enough to read. */
const MAX_EXAMPLES = 3;

/**
 * Aggregates mapped sample rows into coverage, rejects and warnings. Coverage counts the users
 * that map cleanly (a rejected row has no payload to count): for each field and metadata key the
 * mapping fills, how many got a value; wallets by chain; OAuth accounts by provider. Rejects and
 * warnings are grouped by field (indexes folded: `wallets[*].chain`) and rule. Pure. The counting
 * is `SampleCounter`'s, which the run report uses row by row over a whole run.
 */
export function aggregateSample(spec: MappingSpec, results: readonly MapResult[], requested: number): SampleReport {
  const counter = new SampleCounter(spec, MAX_EXAMPLES);
  for (const result of results) counter.add(result);
  return counter.report(requested);
}
