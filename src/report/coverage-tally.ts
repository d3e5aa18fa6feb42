import type { SampleIssueGroup } from '../check/check-report.js';
import { SampleCounter } from '../check/sample-counter.js';
import type { MappingSpec, MapResult } from '../mapping/index.js';
import type { ReportCoverage } from './report-json.js';

/** The fields a data owner asks about first; listed even when the mapping does not fill them. */
const HEADLINE_FIELDS = ['email', 'username', 'firstName', 'lastName', 'phoneNumber', 'country'] as const;
/** Derived entry, placed right after `email`: users with an email and `emailVerifiedAt`. */
export const VERIFIED_EMAIL = 'email (verified)';
const MAX_EXAMPLES = 5;

/**
 * Coverage, rejects and warnings over any number of mapped rows in bounded memory: each row is
 * counted as it comes by a `SampleCounter` (the same counting `check` does on its sample), which
 * keeps counts and the first five example rows per reason, never the rows themselves.
 */
export class CoverageTally {
  readonly #counter: SampleCounter;
  #verifiedEmail = 0;

  constructor(spec: MappingSpec) {
    const headline = Object.fromEntries(HEADLINE_FIELDS.map((field) => [field, { constant: null }]));
    // The counter counts the keys of `fields`: the headline ones first, then the mapping's own.
    this.#counter = new SampleCounter({ ...spec, fields: { ...headline, ...spec.fields } } as MappingSpec, MAX_EXAMPLES);
  }

  add(result: MapResult): void {
    if (result.ok && result.payload.email && result.payload.emailVerifiedAt) this.#verifiedEmail++;
    this.#counter.add(result);
  }

  /** Counts so far. */
  result(): { coverage: ReportCoverage; rejects: SampleIssueGroup[]; warnings: SampleIssueGroup[]; dropped: SampleIssueGroup[] } {
    const part = this.#counter.report(0);
    const fields = [...part.fields];
    const emailAt = fields.findIndex((entry) => entry.name === 'email');
    fields.splice(emailAt + 1, 0, { name: VERIFIED_EMAIL, count: this.#verifiedEmail, percent: percent(this.#verifiedEmail, part.mapped) });
    return {
      coverage: { mapped: part.mapped, fields, metadata: part.metadata, wallets: part.wallets, oauthAccounts: part.oauthAccounts },
      rejects: part.rejects,
      warnings: part.warnings,
      dropped: part.dropped,
    };
  }
}

const percent = (count: number, of: number) => (of === 0 ? 0 : Math.round((count / of) * 10_000) / 100);
