import { usernameKey } from '../contract/identity-keys.js';
import { ConfigError } from '../errors.js';
import { readAhead, readRowsByKeys, readSourcePages } from '../extract/index.js';
import type { SourceDb, SourceRow } from '../extract/index.js';
import { compileMapping } from '../mapping/index.js';
import type { MapResult, MappingSpec } from '../mapping/index.js';
import { applyDuplicatePlan } from './apply-duplicate-plan.js';
import { coarseKey, collidingKeys, inKeyOrder, isAscii, keysWithCoarse, keyValue, plainIdentitySources, sourcesAreComparable } from './candidate-keys.js';
import { identityKeysOf, type DuplicateKind } from './duplicate-keys.js';
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
 * returns a plan that changes nothing. With one, it finds the rows that may share an identity and
 * feeds their payloads, mapped by the mapper the run uses, to a duplicate detector in key order;
 * when clusters are found, it reads those rows a second time to collect, for cluster members only,
 * what the policy needs (position, `newestBy`, wallets, OAuth accounts), and decides.
 *
 * Which rows: when every identity of the mapping is read from a plain column, PostgreSQL narrows
 * them down (`narrowedKeys`: rows whose coarse key another row shares, and rows SQL cannot compare,
 * see candidate-keys.ts), and only those are read; otherwise every row of the (filtered) source,
 * in key order. Either way the exact keys are `identityKeysOf`'s, so the decisions are the same.
 * Memory: the detector's, by distinct identities of the rows read, plus cluster members, plus the
 * narrowed keys (by candidate rows: at most MAX_NARROWED come back from PostgreSQL, past that the whole scan); never by all rows.
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
  const pageSize = options.pageSize ?? 500;
  const signal = options.signal ? { signal: options.signal } : {};
  const narrowed = await narrowedKeys(source, spec, mapRow, { pageSize, ...signal });
  if (narrowed === undefined) {
    const read = () => readAhead(readSourcePages(source, spec.source, { after: null, pageSize, ...signal }));
    return planDuplicatesFrom(read, mapRow, policy, spec.source.table);
  }
  if (policy.newestBy !== undefined) await checkNewestBy(source, spec, policy.newestBy);
  const read = () => readRowsByKeys(source, spec.source, narrowed.keys, { pageSize, ...signal });
  return planDuplicatesFrom(read, mapRow, policy, spec.source.table, (keys) => narrowed.usernamesTaken(keys));
}

/** Candidates beyond this many: the narrowing let too much through (a source of non-ASCII names, say), and the whole scan is cheaper. */
const MAX_NARROWED = 100_000;

/**
 * The keys, in key order, of the rows that may share an identity (see candidate-keys.ts), and how to
 * tell whether rows outside them hold a username (the `suffix` policy's candidates must be unlike
 * every username of the source); undefined when SQL cannot narrow this mapping's identities.
 */
export async function narrowedKeys(
  source: SourceDb,
  spec: MappingSpec,
  mapRow: (row: SourceRow) => MapResult,
  options: { pageSize: number; signal?: AbortSignal },
): Promise<{ keys: string[]; usernamesTaken(keys: ReadonlySet<string>): Promise<Set<string>> } | undefined> {
  const sources = plainIdentitySources(spec);
  if (!sources || !(await sourcesAreComparable(source, spec, sources, options.signal))) return undefined;
  const ofKind = (kind: DuplicateKind) => sources.filter((identity) => identity.kind === kind);
  const kinds = [...new Set(sources.map((identity) => identity.kind))];
  const candidates = new Set<string>();
  const nonAscii = new Set<string>();
  options.signal?.throwIfAborted();
  // One query per kind, side by side: the source's pool has two connections, and PostgreSQL a core for each.
  for (const found of await Promise.all(kinds.map((kind) => collidingKeys(source, spec, ofKind(kind), MAX_NARROWED, options.signal)))) {
    if (!found) return undefined;
    for (const key of found.colliding) candidates.add(key);
    for (const key of found.nonAscii) nonAscii.add(key);
  }
  if (candidates.size + nonAscii.size > MAX_NARROWED) return undefined;
  // Rows SQL cannot compare: their exact keys, by the one normaliser, find the ASCII rows they may share one with.
  const partners = new Map<DuplicateKind, Set<string>>(kinds.map((kind) => [kind, new Set<string>()]));
  const mapped = async function* (keys: Iterable<string>) {
    for await (const page of readRowsByKeys(source, spec.source, await inKeyOrder(source, spec, keys, options.signal), options)) {
      for (const row of page) {
        const result = mapRow(row);
        if (result.ok) yield result.payload;
      }
    }
  };
  for await (const payload of mapped(nonAscii)) {
    for (const identity of identityKeysOf(payload)) {
      const value = keyValue(identity);
      if (isAscii(value)) partners.get(identity.kind)?.add(coarseKey(value));
    }
  }
  for (const kind of kinds) {
    for (const key of await keysWithCoarse(source, spec, ofKind(kind), [...(partners.get(kind) ?? [])], options.signal)) candidates.add(key);
  }
  for (const key of nonAscii) candidates.add(key);
  if (candidates.size > MAX_NARROWED) return undefined;
  return {
    keys: await inKeyOrder(source, spec, candidates, options.signal),
    // A username key of ASCII can only be an ASCII row's (every other row is a candidate): those with its coarse key.
    async usernamesTaken(keys) {
      const coarse = [...keys].filter(isAscii).map(coarseKey);
      const outside = (await keysWithCoarse(source, spec, ofKind('username'), coarse, options.signal)).filter((key) => !candidates.has(key));
      const taken = new Set<string>();
      for await (const payload of mapped(outside)) {
        if (typeof payload.username === 'string' && keys.has(usernameKey(payload.username))) taken.add(usernameKey(payload.username));
      }
      return taken;
    },
  };
}

/** What reading every row found on the first: the `newestBy` column must be one of the source table. */
async function checkNewestBy(source: SourceDb, spec: MappingSpec, newestBy: string): Promise<void> {
  for await (const page of readSourcePages(source, spec.source, { after: null, pageSize: 1 })) {
    const first = page[0];
    if (first && !Object.hasOwn(first.row, newestBy)) {
      throw new ConfigError(`mapping duplicates.newestBy: column "${newestBy}" is not in source table "${spec.source.table}"`);
    }
    return;
  }
}

/**
 * {@link planDuplicates} over any source of pages (read twice when there are clusters): the part
 * that does not care where rows come from, so tests can give it literal rows. When the pages are
 * some rows of the source only, `usernamesTaken` tells which of some username keys rows outside
 * them hold (the `suffix` policy asks); absent, the pages are the whole source.
 */
export async function planDuplicatesFrom(
  read: () => AsyncIterable<SourceRow[]> | Iterable<SourceRow[]>,
  mapRow: (row: SourceRow) => MapResult,
  policy: DuplicatePolicy,
  table: string,
  usernamesTaken?: (keys: ReadonlySet<string>) => Promise<ReadonlySet<string>>,
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
  // Asked of rows outside the pages only for names none of them has; decided again with the answers
  // until every name asked has one (a name taken makes the next candidate be asked).
  const answered = new Map<string, boolean>();
  for (;;) {
    const asked = new Set<string>();
    const usernameTaken = (username: string) => {
      const key = usernameKey(username);
      if (detector.has('username', key)) return true;
      const answer = usernamesTaken ? answered.get(key) : false;
      if (answer === undefined) asked.add(key);
      return answer ?? false;
    };
    const decisions = decideDuplicates(clusters, members, policy, usernameTaken);
    if (asked.size === 0 || !usernamesTaken) return { policy, clusters, decisions };
    const taken = await usernamesTaken(asked);
    for (const key of asked) answered.set(key, taken.has(key));
  }
}
