import { usernameKey } from '../contract/identity-keys.js';
import { ConfigError } from '../errors.js';
import { readSourcePages } from '../extract/index.js';
import type { SourceDb, SourceRow } from '../extract/index.js';
import { compileMapping } from '../mapping/index.js';
import type { MapResult, MappingSpec } from '../mapping/index.js';
import { applyDuplicatePlan } from './apply-duplicate-plan.js';
import { decideDuplicates } from './decide-duplicates.js';
import { createDuplicateDetector } from './duplicate-detector.js';
import { EMPTY_DUPLICATE_PLAN } from './duplicate-plan.js';
import type { ClusterMember, DuplicatePlan, DuplicatePolicy } from './duplicate-plan.js';

/** Options of {@link planDuplicates}. */
export interface PlanDuplicatesOptions {
  /** Rows read per query. @default 500 */
  pageSize?: number;
  /** Stops between pages. */
  signal?: AbortSignal;
}

/**
 * The mapper a run sends through: `compileMapping(spec)` with the duplicates policy's plan applied
 * (a pre-scan of the source, see {@link planDuplicates}; without a policy, the compiled mapping as
 * it is). `run` maps every row with it and `reconcile` decides eligibility with it, so the two
 * never disagree about which rows belong in Dynamic. Returns the plan too, for the run's report.
 *
 * @throws ConfigError when `newestBy` names no column of the source table
 */
export async function compileRunMapper(
  source: SourceDb,
  spec: MappingSpec,
  options: PlanDuplicatesOptions = {},
): Promise<{ mapRow: (row: SourceRow) => MapResult; plan: DuplicatePlan }> {
  const compiled = compileMapping(spec);
  const plan = await planDuplicates(source, spec, compiled, options);
  return { mapRow: applyDuplicatePlan(compiled, plan), plan };
}

/**
 * The pre-scan behind the mapping's `duplicates` policy. Without a policy it reads nothing and
 * returns a plan that changes nothing. With one, it reads the (filtered) source in key order
 * through the mapper the run uses and feeds every valid payload to a duplicate detector; when
 * clusters are found, it reads the source a second time to collect, for cluster members only, what
 * the policy needs (position, `newestBy`, wallets, OAuth accounts), and decides. Two reads rather
 * than one keep memory bounded by distinct identities plus cluster members, never by rows.
 *
 * @throws ConfigError when `newestBy` names no column of the source table
 */
export async function planDuplicates(
  source: SourceDb,
  spec: MappingSpec,
  mapRow: (row: SourceRow) => MapResult,
  options: PlanDuplicatesOptions = {},
): Promise<DuplicatePlan> {
  const policy = spec.duplicates;
  if (!policy) return EMPTY_DUPLICATE_PLAN;
  const read = () => readSourcePages(source, spec.source, { after: null, pageSize: options.pageSize ?? 500, ...(options.signal ? { signal: options.signal } : {}) });

  return planDuplicatesFrom(read, mapRow, policy, spec.source.table);
}

/**
 * {@link planDuplicates} over any source of pages (read twice when there are clusters): the part
 * that does not care where rows come from, so tests can give it literal rows.
 */
export async function planDuplicatesFrom(
  read: () => AsyncIterable<SourceRow[]> | Iterable<SourceRow[]>,
  mapRow: (row: SourceRow) => MapResult,
  policy: DuplicatePolicy,
  table: string,
): Promise<DuplicatePlan> {
  const detector = createDuplicateDetector();
  let checkedColumn = policy.newestBy === undefined;
  for await (const page of read()) {
    for (const row of page) {
      if (!checkedColumn && policy.newestBy !== undefined && !Object.hasOwn(row.row, policy.newestBy)) {
        throw new ConfigError(`mapping duplicates.newestBy: column "${policy.newestBy}" is not in source table "${table}"`);
      }
      checkedColumn = true;
      const result = mapRow(row);
      if (result.ok) detector.observe(result.legacyId, result.payload);
    }
  }
  const clusters = detector.clusters();
  if (clusters.length === 0) return { policy, clusters, decisions: new Map() };

  const wanted = new Set(clusters.flatMap((cluster) => cluster.legacyIds));
  const members = new Map<string, ClusterMember>();
  let ordinal = 0;
  for await (const page of read()) {
    for (const row of page) {
      ordinal += 1;
      if (!wanted.has(row.key)) continue;
      const result = mapRow(row);
      if (!result.ok) continue;
      members.set(result.legacyId, {
        legacyId: result.legacyId,
        ordinal,
        newest: policy.newestBy === undefined ? null : (row.row[policy.newestBy] ?? null),
        wallets: result.payload.wallets ?? [],
        oauthAccounts: result.payload.oauthAccounts ?? [],
        ...(typeof result.payload.username === 'string' && result.payload.username !== '' ? { username: result.payload.username } : {}),
      });
    }
  }
  const usernameTaken = (username: string) => detector.has('username', usernameKey(username));
  return { policy, clusters, decisions: decideDuplicates(clusters, members, policy, usernameTaken) };
}
