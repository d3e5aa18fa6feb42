import { foldIndexes } from '../mapping/index.js';
import type { MappingSpec, MapResult } from '../mapping/index.js';
import type { CoverageEntry, SampleIssueGroup, SampleReport } from './check-report.js';

/**
 * A warning of the mapper (`truncated`, `stripped`, ...): carried by `MapResult.warnings` once the
 * mapping stage adds it. Read defensively so check works before and after.
 */
interface MapWarningLike {
  field: string;
  rule: string;
  message: string;
  value?: string;
}

interface Group extends SampleIssueGroup {
  /** The last row counted: a row with two wallets on a bad chain counts once. */
  lastRow: number;
}

/**
 * Counts mapped rows one at a time into what `check` shows of its sample and the run report of a
 * whole run: coverage of each field and metadata key the mapping fills, wallets by chain, OAuth
 * accounts by provider, rejects and warnings grouped by field (indexes folded: `wallets[*].chain`)
 * and rule, with the first `maxExamples` rows of each. Memory holds counts only, so it takes any
 * number of rows; nothing is allocated per row but for a new group or chain.
 */
export class SampleCounter {
  readonly #maxExamples: number;
  readonly #fieldNames: readonly string[];
  readonly #fieldCounts: number[];
  readonly #metadataNames: readonly string[];
  readonly #metadataCounts: number[];
  readonly #chains = new Map<string, number>();
  readonly #providers = new Map<string, number>();
  readonly #rejects = new Map<string, Group>();
  readonly #warnings = new Map<string, Group>();
  readonly #dropped = new Map<string, Group>();
  #read = 0;
  #mapped = 0;
  #walletUsers = 0;
  #oauthUsers = 0;

  constructor(spec: MappingSpec, maxExamples: number) {
    this.#maxExamples = maxExamples;
    this.#fieldNames = Object.keys(spec.fields ?? {});
    this.#fieldCounts = this.#fieldNames.map(() => 0);
    this.#metadataNames = [...new Set([...Object.keys(spec.metadata ?? {}), spec.legacyIdKey])];
    this.#metadataCounts = this.#metadataNames.map(() => 0);
  }

  add(result: MapResult): void {
    const row = ++this.#read;
    const warnings = warningsOf(result);
    for (const warning of warnings) this.#group(this.#warnings, warning, result.legacyId, row);
    if (!result.ok) {
      for (const rejection of result.rejections) this.#group(this.#rejects, rejection, result.legacyId, row);
      return;
    }
    this.#mapped++;
    for (const dropped of result.dropped ?? []) this.#group(this.#dropped, dropped, result.legacyId, row);
    const payload = result.payload as Record<string, unknown>;
    for (let i = 0; i < this.#fieldNames.length; i++) if (hasValue(payload[this.#fieldNames[i] as string])) (this.#fieldCounts[i] as number)++;
    const metadata = result.payload.metadata;
    if (metadata) for (let i = 0; i < this.#metadataNames.length; i++) if (hasValue(metadata[this.#metadataNames[i] as string])) (this.#metadataCounts[i] as number)++;
    const wallets = result.payload.wallets;
    if (wallets && wallets.length > 0) {
      this.#walletUsers++;
      for (const wallet of wallets) bump(this.#chains, wallet.chain);
    }
    const accounts = result.payload.oauthAccounts;
    if (accounts && accounts.length > 0) {
      this.#oauthUsers++;
      for (const account of accounts) bump(this.#providers, account.provider);
    }
  }

  /** Everything counted so far, as `check` reports its sample (`requested`: rows asked for). */
  report(requested: number): SampleReport {
    const walletTotal = sum(this.#chains);
    const oauthTotal = sum(this.#providers);
    return {
      requested,
      read: this.#read,
      mapped: this.#mapped,
      rejected: this.#read - this.#mapped,
      fields: this.#fieldNames.map((name, i) => entry(name, this.#fieldCounts[i] as number, this.#mapped)),
      metadata: this.#metadataNames.map((name, i) => entry(name, this.#metadataCounts[i] as number, this.#mapped)),
      wallets: { users: this.#walletUsers, total: walletTotal, byChain: byCount(this.#chains, walletTotal) },
      oauthAccounts: { users: this.#oauthUsers, total: oauthTotal, byProvider: byCount(this.#providers, oauthTotal) },
      rejects: ranked(this.#rejects),
      warnings: ranked(this.#warnings),
      dropped: ranked(this.#dropped),
    };
  }

  #group(groups: Map<string, Group>, item: MapWarningLike, legacyId: string, row: number): void {
    const field = foldIndexes(item.field);
    const key = `${field}\u0000${item.rule}`;
    let found = groups.get(key);
    if (!found) {
      found = { field, rule: item.rule, rows: 0, message: String(item.message ?? ''), examples: [], lastRow: 0 };
      groups.set(key, found);
    }
    if (found.lastRow === row) return;
    found.lastRow = row;
    found.rows++;
    if (found.examples.length < this.#maxExamples) found.examples.push({ legacyId, ...(item.value !== undefined ? { value: item.value } : {}) });
  }
}

const NO_WARNINGS: readonly MapWarningLike[] = Object.freeze([]);

function warningsOf(result: MapResult): readonly MapWarningLike[] {
  const warnings: unknown = (result as { warnings?: unknown }).warnings;
  if (!Array.isArray(warnings) || warnings.length === 0) return NO_WARNINGS;
  return warnings.filter(
    (warning): warning is MapWarningLike =>
      typeof warning === 'object' && warning !== null && typeof (warning as MapWarningLike).field === 'string' && typeof (warning as MapWarningLike).rule === 'string',
  );
}

function ranked(groups: Map<string, Group>): SampleIssueGroup[] {
  return [...groups.values()]
    .map(({ lastRow: _lastRow, ...group }) => ({ ...group, examples: [...group.examples] }))
    .sort((a, b) => b.rows - a.rows || a.field.localeCompare(b.field) || a.rule.localeCompare(b.rule));
}

const hasValue = (value: unknown) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
const bump = (counts: Map<string, number>, name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, count) => total + count, 0);
const percent = (count: number, of: number) => (of === 0 ? 0 : Math.round((count / of) * 10_000) / 100);
const entry = (name: string, count: number, of: number): CoverageEntry => ({ name, count, percent: percent(count, of) });

/** Biggest first, then by name. */
function byCount(counts: Map<string, number>, of: number): CoverageEntry[] {
  return [...counts].map(([name, count]) => entry(name, count, of)).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** Rows named per reject or warning group in `check`'s sample: enough to look one up, few enough to read. */
const MAX_EXAMPLES = 3;

/** A `SampleCounter` over `check`'s sample rows at once: what its report shows. Pure. */
export function aggregateSample(spec: MappingSpec, results: readonly MapResult[], requested: number): SampleReport {
  const counter = new SampleCounter(spec, MAX_EXAMPLES);
  for (const result of results) counter.add(result);
  return counter.report(requested);
}
