import { RelatedProblem, RelatedRecord } from './column-path.js';
import { compileCondition } from './condition.js';
import type { CompiledCondition } from './condition.js';
import type { MappingSpec } from './mapping-spec.js';
import { userKeyOf } from './source-spec.js';
import { isRecord } from './records-for.js';
import { RowProblem } from './row-problem.js';
import type { LookupRows, SourceRow } from './source-row.js';

/**
 * Sets each lookup's and each pick's record in the user row under its name (what `profile.bio`
 * and `primary_email.email` read).
 */
export type RelatedBuilder = (source: SourceRow, row: Record<string, unknown>) => void;

interface CompiledLookup {
  name: string;
  label: string;
  key: string;
  userKey: string;
}

interface CompiledPick {
  name: string;
  child: string;
  label: string;
  test: CompiledCondition | undefined;
  /** Several qualifying rows are a problem: `unique`, or no `orderBy` on the child to choose by. */
  oneOnly: 'unique' | 'unordered' | undefined;
  /** Every qualifying row, as a list. */
  all: boolean;
}

/**
 * Compiles `source.lookups` and `source.picks` into what adds their records to a user row.
 *
 * A lookup gives its one row, or null when it found none; several rows for the user (the table
 * breaks the promise of one), or, for a one-to-one lookup, a row other users of the source share,
 * give a stand-in whose every read is the problem (`lookup_not_unique`, `lookup_shared`), so each
 * field it feeds follows its own `onInvalid` and the row id is in the report: never resolved by
 * taking one of them.
 *
 * A pick chooses, among the user's rows of its child, the first (in the child's `orderBy`) that
 * its `where` holds for (with `all`, the list of every such row): that row, null when none does, or, when several do and the pick may not
 * choose (`unique`, or no order), a stand-in with the problem `pick_not_unique`. A row its `where`
 * cannot be tested on (a missing column) makes a stand-in with that problem.
 */
export function compileRelated(spec: MappingSpec): RelatedBuilder {
  const lookups: CompiledLookup[] = Object.entries(spec.source.lookups ?? {}).map(([name, lookup]) => ({
    name,
    label: `lookup "${name}" (table "${lookup.table}")`,
    key: lookup.key,
    userKey: userKeyOf(spec.source, lookup),
  }));
  const picks: CompiledPick[] = Object.entries(spec.source.picks ?? {}).map(([name, pick]) => ({
    name,
    child: pick.from,
    label: `pick "${name}" (a row of child "${pick.from}")`,
    test: pick.where ? compileCondition(pick.where) : undefined,
    oneOnly: pick.all === true ? undefined : pick.unique === true ? 'unique' : spec.source.children?.[pick.from]?.orderBy ? undefined : 'unordered',
    all: pick.all === true,
  }));
  if (lookups.length === 0 && picks.length === 0) return () => undefined;
  // Added to the row itself, not a copy: it is the extractor's, read for this mapping, and no
  // name may be one of its columns (refused before a run reads anything); a copy per user cost
  // more than the lookup's query (the bench's dry run with a lookup).
  return (source, row) => {
    const found = isRecord(source.lookups) ? source.lookups : {};
    for (const lookup of lookups) if (Object.hasOwn(found, lookup.name)) row[lookup.name] = lookupRecord(lookup, found[lookup.name]!);
    for (const pick of picks) row[pick.name] = choose(pick, source);
  };
}

function lookupRecord(lookup: CompiledLookup, found: LookupRows): unknown {
  const rows = Array.isArray(found.rows) ? found.rows : [];
  if (rows.length === 0) return null;
  if (rows.length > 1) {
    return new RelatedProblem(new RowProblem('lookup_not_unique', `${lookup.label}: ${rows.length} rows have ${lookup.key} equal to this user's ${lookup.userKey}, and a lookup promises one`));
  }
  if (found.sharedWith > 0) {
    return new RelatedProblem(new RowProblem('lookup_shared', `${lookup.label}: ${found.sharedWith} other user(s) have the same ${lookup.userKey}, and the lookup is declared one-to-one (say relation: 'many-to-one' if users may share it)`));
  }
  return new RelatedRecord(lookup.label, rows[0]!);
}

function choose(pick: CompiledPick, source: SourceRow): unknown {
  const rows: unknown = isRecord(source.children) ? source.children[pick.child] : undefined;
  if (!Array.isArray(rows)) return null;
  // Every qualifying row when they are all wanted or must be counted; else the first is enough.
  const qualifying: Record<string, unknown>[] = [];
  try {
    for (const row of rows) {
      if (!isRecord(row) || (pick.test && !pick.test(row))) continue;
      qualifying.push(row);
      if (!pick.all && !pick.oneOnly) break;
    }
  } catch (error) {
    if (!(error instanceof RowProblem)) throw error;
    return new RelatedProblem(new RowProblem(error.rule, `${pick.label}: ${error.message}`));
  }
  if (pick.all) return new RelatedRecord(pick.label, qualifying);
  if (qualifying.length === 0) return null;
  if (qualifying.length > 1) {
    const why = pick.oneOnly === 'unique' ? 'the pick is declared unique' : `child "${pick.child}" has no orderBy to choose by`;
    return new RelatedProblem(new RowProblem('pick_not_unique', `${pick.label}: ${qualifying.length} rows qualify, and ${why}`));
  }
  return new RelatedRecord(pick.label, qualifying[0]!);
}
