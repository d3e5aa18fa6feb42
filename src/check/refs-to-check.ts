import { collectColumnRefs, type ColumnRef, type MappingSpec } from '../mapping/index.js';

export type { ColumnRef };

/** A table the mapping reads, with where it is named. */
export interface TableUse {
  table: string;
  usedBy: string[];
}

/** The source table and every child and lookup table, each once, in mapping order. */
export function tablesOf(spec: MappingSpec): TableUse[] {
  const uses = new Map<string, string[]>();
  const add = (table: string, usedBy: string) => uses.set(table, [...(uses.get(table) ?? []), usedBy]);
  add(spec.source.table, 'source.table');
  for (const [name, child] of Object.entries(spec.source.children ?? {})) add(child.table, `source.children.${name}.table`);
  for (const [name, lookup] of Object.entries(spec.source.lookups ?? {})) add(lookup.table, `source.lookups.${name}.table`);
  return [...uses].map(([table, usedBy]) => ({ table, usedBy }));
}

/**
 * Every column the mapping needs (`collectColumnRefs`: keys, declarative filters, value sources,
 * conditions, templates), a ref repeated under the same use kept once.
 */
export function columnRefsToCheck(spec: MappingSpec): ColumnRef[] {
  const seen = new Set<string>();
  return collectColumnRefs(spec).filter((ref) => {
    const key = JSON.stringify([ref.table, ref.column, ref.jsonPath, ref.transforms, ref.usedBy]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
