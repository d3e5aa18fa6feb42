import { collectColumnRefs } from './column-refs.js';
import type { MappingSpec } from './mapping-spec.js';

/** Uses of a column in the queries' where and order by clauses: `source.filter`, `children.wallets.orderBy`. */
const SQL_ONLY = /^(source\.(changeCursor|filter)|(children|lookups)\.[^.]+\.(changeColumn|orderBy|filter))$/;

/** The columns a mapping uses, per record: the user row (`source`), each child table and each lookup by name. */
export interface ColumnsToRead {
  source: string[];
  children: Record<string, string[]>;
  lookups: Record<string, string[]>;
}

/**
 * The columns a row must carry, per table, each once: the keys rows are told apart and joined by,
 * and every value source's reference (a JSON path reads its top column). Change, order and filter
 * columns are used inside the SQL only, so they are not selected for their own sake. What the run
 * selects instead of `*`, so the unused columns of a wide legacy table (password hashes, blobs,
 * audit trails) are neither sent over the wire nor parsed. Pure.
 */
export function columnsToRead(spec: MappingSpec): ColumnsToRead {
  const source = new Set<string>();
  const setsOf = (names: Record<string, unknown> | undefined) => new Map<string, Set<string>>(Object.keys(names ?? {}).map((name) => [name, new Set<string>()]));
  const children = setsOf(spec.source.children);
  const lookups = setsOf(spec.source.lookups);
  /** Records read whole (a lookup or pick used as one value): all their columns, so no list. */
  const whole = new Set<string>();
  for (const ref of collectColumnRefs(spec)) {
    if (ref.column === '' && ref.record !== 'source') whole.add(ref.record);
    if (!ref.column || SQL_ONLY.test(ref.usedBy)) continue;
    (ref.record === 'source' ? source : children.get(ref.record) ?? lookups.get(ref.record))?.add(ref.column);
  }
  // An empty list reads every column (`*`).
  const lists = (sets: Map<string, Set<string>>) => Object.fromEntries([...sets].map(([name, columns]) => [name, whole.has(name) ? [] : [...columns]]));
  return { source: [...source], children: lists(children), lookups: lists(lookups) };
}
