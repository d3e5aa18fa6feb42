import type { MappingSpec, MapResult } from '../mapping/index.js';
import type { CoverageEntry, SampleIssueGroup, SampleReport } from './check-report.js';

/** Rows named per reject or warning group: enough to look one up, few enough to read. */
const MAX_EXAMPLES = 3;

/**
 * A warning of the mapper (`truncated`, `stripped`, ...): carried by `MapResult.warnings` once the
 * mapping stage adds it. Read defensively so check works before and after.
 */
interface MapWarningLike {
  field: string;
  rule: string;
  message: string;
}

/**
 * Aggregates mapped sample rows into coverage, rejects and warnings. Coverage counts the users
 * that map cleanly (a rejected row has no payload to count): for each field and metadata key the
 * mapping fills, how many got a value; wallets by chain; OAuth accounts by provider. Rejects and
 * warnings are grouped by field (indexes folded: `wallets[*].chain`) and rule. Pure.
 */
export function aggregateSample(spec: MappingSpec, results: readonly MapResult[], requested: number): SampleReport {
  const mapped = results.filter((result) => result.ok);
  const fieldCounts = counter(Object.keys(spec.fields ?? {}));
  const metadataCounts = counter([...Object.keys(spec.metadata ?? {}), spec.legacyIdKey]);
  const chains = counter([]);
  const providers = counter([]);
  let walletUsers = 0;
  let oauthUsers = 0;
  for (const { payload } of mapped) {
    for (const field of fieldCounts.keys()) if (hasValue((payload as Record<string, unknown>)[field])) bump(fieldCounts, field);
    for (const key of metadataCounts.keys()) if (hasValue(payload.metadata?.[key])) bump(metadataCounts, key);
    if (payload.wallets?.length) walletUsers++;
    for (const wallet of payload.wallets ?? []) bump(chains, wallet.chain);
    if (payload.oauthAccounts?.length) oauthUsers++;
    for (const account of payload.oauthAccounts ?? []) bump(providers, account.provider);
  }
  const walletTotal = sum(chains);
  const oauthTotal = sum(providers);
  return {
    requested,
    read: results.length,
    mapped: mapped.length,
    rejected: results.length - mapped.length,
    fields: entries(fieldCounts, mapped.length, false),
    metadata: entries(metadataCounts, mapped.length, false),
    wallets: { users: walletUsers, total: walletTotal, byChain: entries(chains, walletTotal, true) },
    oauthAccounts: { users: oauthUsers, total: oauthTotal, byProvider: entries(providers, oauthTotal, true) },
    rejects: group(results.flatMap((result) => (result.ok ? [] : result.rejections))),
    warnings: group(results.flatMap((result) => warningsOf(result).map((warning) => ({ ...warning, legacyId: result.legacyId })))),
  };
}

function warningsOf(result: MapResult): MapWarningLike[] {
  const warnings: unknown = (result as { warnings?: unknown }).warnings;
  if (!Array.isArray(warnings)) return [];
  return warnings.filter(
    (warning): warning is MapWarningLike =>
      typeof warning === 'object' && warning !== null && typeof (warning as MapWarningLike).field === 'string' && typeof (warning as MapWarningLike).rule === 'string',
  );
}

/** One group per field + rule, counting rows (a row with two wallets on a bad chain counts once). */
function group(items: readonly { legacyId: string; field: string; rule: string; message: string; value?: string }[]): SampleIssueGroup[] {
  const groups = new Map<string, SampleIssueGroup & { ids: Set<string> }>();
  for (const item of items) {
    const field = item.field.replace(/\[\d+\]/g, '[*]');
    const key = `${field}\u0000${item.rule}`;
    const found = groups.get(key) ?? { field, rule: item.rule, rows: 0, message: String(item.message ?? ''), examples: [], ids: new Set<string>() };
    groups.set(key, found);
    if (found.ids.has(item.legacyId)) continue;
    found.ids.add(item.legacyId);
    found.rows++;
    if (found.examples.length < MAX_EXAMPLES) found.examples.push({ legacyId: item.legacyId, ...(item.value !== undefined ? { value: item.value } : {}) });
  }
  return [...groups.values()]
    .map(({ ids: _ids, ...rest }) => rest)
    .sort((a, b) => b.rows - a.rows || a.field.localeCompare(b.field) || a.rule.localeCompare(b.rule));
}

const hasValue = (value: unknown) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

const counter = (names: readonly string[]) => new Map<string, number>(names.map((name) => [name, 0]));
const bump = (counts: Map<string, number>, name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, count) => total + count, 0);
const percent = (count: number, of: number) => (of === 0 ? 0 : Math.round((count / of) * 10_000) / 100);

/** Mapping order for fields and keys; biggest first for chains and providers. */
function entries(counts: Map<string, number>, of: number, byCount: boolean): CoverageEntry[] {
  const list = [...counts].map(([name, count]) => ({ name, count, percent: percent(count, of) }));
  return byCount ? list.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)) : list;
}
