import { aggregateSample } from '../check/aggregate-sample.js';
import type { CoverageEntry, SampleIssueGroup, SampleReport } from '../check/check-report.js';
import type { MappingSpec, MapResult } from '../mapping/index.js';
import type { ReportCoverage } from './report-json.js';

/** The fields a data owner asks about first; listed even when the mapping does not fill them. */
const HEADLINE_FIELDS = ['email', 'username', 'firstName', 'lastName', 'phoneNumber', 'country'] as const;
/** Derived entry, placed right after `email`: users with an email and `emailVerifiedAt`. */
export const VERIFIED_EMAIL = 'email (verified)';
/** Rows aggregated at once: bounds memory while letting `aggregateSample` do the counting. */
const CHUNK_ROWS = 1000;
const MAX_EXAMPLES = 5;

/**
 * Coverage, rejects and warnings over any number of mapped rows in bounded memory: rows are
 * buffered in chunks, each chunk counted by `aggregateSample` (the same counting `check` does on
 * its sample), and the chunk's counts added to running totals. Only counts and a few example ids
 * are kept.
 */
export class CoverageTally {
  readonly #spec: MappingSpec;
  #buffer: MapResult[] = [];
  #mapped = 0;
  #verifiedEmail = 0;
  readonly #fields = new Map<string, number>();
  readonly #metadata = new Map<string, number>();
  readonly #chains = new Map<string, number>();
  readonly #providers = new Map<string, number>();
  #walletUsers = 0;
  #oauthUsers = 0;
  readonly #rejects = new Map<string, SampleIssueGroup>();
  readonly #warnings = new Map<string, SampleIssueGroup>();
  readonly #rejectExamples = new Map<string, Example[]>();
  readonly #warningExamples = new Map<string, Example[]>();

  constructor(spec: MappingSpec) {
    const headline = Object.fromEntries(HEADLINE_FIELDS.map((field) => [field, { constant: null }]));
    // aggregateSample counts the keys of `fields`: the headline ones first, then the mapping's own.
    this.#spec = { ...spec, fields: { ...headline, ...spec.fields } } as MappingSpec;
  }

  add(result: MapResult): void {
    if (result.ok && result.payload.email && result.payload.emailVerifiedAt) this.#verifiedEmail++;
    // Examples are picked here, not per chunk: the first five rows of the run, not three per chunk.
    if (!result.ok) for (const rejection of result.rejections) addExample(this.#rejectExamples, rejection.field, rejection.rule, result.legacyId, rejection.value);
    for (const warning of result.warnings ?? []) addExample(this.#warningExamples, warning.field, warning.rule, result.legacyId, undefined);
    this.#buffer.push(result);
    if (this.#buffer.length >= CHUNK_ROWS) this.#flush();
  }

  /** Counts so far (flushes the open chunk first). */
  result(): { coverage: ReportCoverage; rejects: SampleIssueGroup[]; warnings: SampleIssueGroup[] } {
    this.#flush();
    const walletTotal = sum(this.#chains);
    const oauthTotal = sum(this.#providers);
    const fields = entries(this.#fields, this.#mapped, false);
    const emailAt = fields.findIndex((entry) => entry.name === 'email');
    fields.splice(emailAt + 1, 0, { name: VERIFIED_EMAIL, count: this.#verifiedEmail, percent: percent(this.#verifiedEmail, this.#mapped) });
    return {
      coverage: {
        mapped: this.#mapped,
        fields,
        metadata: entries(this.#metadata, this.#mapped, false),
        wallets: { users: this.#walletUsers, total: walletTotal, byChain: entries(this.#chains, walletTotal, true) },
        oauthAccounts: { users: this.#oauthUsers, total: oauthTotal, byProvider: entries(this.#providers, oauthTotal, true) },
      },
      rejects: ranked(this.#rejects, this.#rejectExamples),
      warnings: ranked(this.#warnings, this.#warningExamples),
    };
  }

  #flush(): void {
    if (this.#buffer.length === 0) return;
    const part: SampleReport = aggregateSample(this.#spec, this.#buffer, this.#buffer.length);
    this.#buffer = [];
    this.#mapped += part.mapped;
    addEntries(this.#fields, part.fields);
    addEntries(this.#metadata, part.metadata);
    addEntries(this.#chains, part.wallets.byChain);
    addEntries(this.#providers, part.oauthAccounts.byProvider);
    this.#walletUsers += part.wallets.users;
    this.#oauthUsers += part.oauthAccounts.users;
    mergeGroups(this.#rejects, part.rejects);
    mergeGroups(this.#warnings, part.warnings);
  }
}

function addEntries(into: Map<string, number>, list: readonly CoverageEntry[]): void {
  for (const { name, count } of list) into.set(name, (into.get(name) ?? 0) + count);
}

type Example = SampleIssueGroup['examples'][number];

/** Same key as `aggregateSample`'s groups: indexes folded (`wallets[*].chain`), then the rule. */
const groupKey = (field: string, rule: string) => `${field.replace(/\[\d+\]/g, '[*]')}\u0000${rule}`;

function addExample(into: Map<string, Example[]>, field: string, rule: string, legacyId: string, value: string | undefined): void {
  const key = groupKey(field, rule);
  const examples = into.get(key) ?? [];
  into.set(key, examples);
  if (examples.length >= MAX_EXAMPLES || examples.some((example) => example.legacyId === legacyId)) return;
  examples.push({ legacyId, ...(value === undefined ? {} : { value }) });
}

/** A row lies in one chunk only, so per-chunk row counts add up without double counting. */
function mergeGroups(into: Map<string, SampleIssueGroup>, groups: readonly SampleIssueGroup[]): void {
  for (const group of groups) {
    const key = groupKey(group.field, group.rule);
    const found = into.get(key);
    if (found) found.rows += group.rows;
    else into.set(key, { ...group });
  }
}

function ranked(groups: Map<string, SampleIssueGroup>, examples: Map<string, Example[]>): SampleIssueGroup[] {
  return [...groups.entries()]
    .map(([key, group]) => ({ ...group, examples: examples.get(key) ?? group.examples }))
    .sort((a, b) => b.rows - a.rows || a.field.localeCompare(b.field) || a.rule.localeCompare(b.rule));
}

const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, count) => total + count, 0);
const percent = (count: number, of: number) => (of === 0 ? 0 : Math.round((count / of) * 10_000) / 100);

function entries(counts: Map<string, number>, of: number, byCount: boolean): CoverageEntry[] {
  const list = [...counts].map(([name, count]) => ({ name, count, percent: percent(count, of) }));
  return byCount ? list.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)) : list;
}
