import type { RuleFrom } from './mapping-spec.js';
import { recordsOrProblem } from './records-for.js';
import type { RowContext } from './row-context.js';
import type { SourceRow } from './source-row.js';

type Item = Record<string, unknown>;

/** Builds one list of the payload (`wallets`, `oauthAccounts`) for a source row. */
export type ListBuilder = (source: SourceRow, context: RowContext) => Item[];

/**
 * The builder of one payload list from its compiled rules: one item per record of each rule (the
 * user row, each child row, or each element of a JSON array; see `recordsFor`), in rule order,
 * with the context pointed at `list[index]` while an item is built. An item `build` declines
 * (undefined: the record has no such wallet or account) is left out and takes no index.
 */
export function compileListBuilder<Rule extends { from: RuleFrom }>(
  list: 'wallets' | 'oauthAccounts',
  rules: readonly Rule[],
  build: (rule: Rule, record: Readonly<Record<string, unknown>>, context: RowContext, source: SourceRow) => Item | undefined,
): ListBuilder {
  return (source, context) => {
    const items: Item[] = [];
    const itemRules = context.itemRules[list];
    for (let ruleIndex = 0; ruleIndex < rules.length; ruleIndex++) {
      const rule = rules[ruleIndex] as Rule;
      for (const record of recordsOrProblem(rule.from, source, list, context)) {
        context.list = list;
        context.index = items.length;
        const item = build(rule, record, context, source);
        if (!item) continue;
        items.push(item);
        itemRules.push(ruleIndex);
      }
    }
    context.list = undefined;
    return items;
  };
}
