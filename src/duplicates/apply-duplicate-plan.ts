import type { SourceRow } from '../extract/index.js';
import { maskValue } from '../shared/mask.js';
import type { MapResult } from '../mapping/index.js';
import type { DuplicatePlan } from './duplicate-plan.js';
import { mergeIdentities } from './merge-identities.js';

/**
 * Wraps the row mapper so the pipeline carries out a duplicate plan: a member to reject comes
 * back as a rejection (rule `duplicate` or `duplicate_merged`, naming the kept legacy id, the
 * shared value masked); a merge survivor comes back with the other members' wallets and OAuth
 * accounts after its own (each once); a member whose username another keeps (`usernames` policy)
 * comes back renamed (a `renamed` warning) or without it (a dropped value, rule `duplicate`).
 * Rows outside every cluster, and rows the mapping itself rejects, pass through untouched. With
 * an empty plan the mapper is returned as is.
 */
export function applyDuplicatePlan(mapRow: (row: SourceRow) => MapResult, plan: DuplicatePlan): (row: SourceRow) => MapResult {
  if (plan.decisions.size === 0) return mapRow;
  return (row) => {
    const result = mapRow(row);
    const decision = result.ok ? plan.decisions.get(result.legacyId) : undefined;
    if (!result.ok || !decision) return result;
    if (decision.action === 'reject') {
      const warnings = result.warnings ? { warnings: result.warnings } : {};
      return { ok: false, legacyId: result.legacyId, rejections: [{ legacyId: result.legacyId, ...decision.rejection }], ...warnings };
    }
    let carried: MapResult & { ok: true } = result;
    if (decision.merged) {
      const { payload } = result;
      const extra = mergeIdentities([payload], [decision.merged]);
      const wallets = [...(payload.wallets ?? []), ...extra.wallets];
      const oauthAccounts = [...(payload.oauthAccounts ?? []), ...extra.oauthAccounts];
      carried = { ...carried, payload: { ...payload, ...(wallets.length > 0 ? { wallets } : {}), ...(oauthAccounts.length > 0 ? { oauthAccounts } : {}) } };
    }
    return decision.username ? withUsername(carried, decision.username) : carried;
  };
}

/** The user with the username another member keeps renamed (a warning) or left out (a dropped value). */
function withUsername(result: MapResult & { ok: true }, change: { to: string | null; keptBy: string }): MapResult {
  const { legacyId } = result;
  const { username, ...rest } = result.payload;
  if (change.to === null) {
    const dropped = { legacyId, field: 'username', rule: 'duplicate', message: `same username as legacy id ${change.keptBy}, which keeps it: sent without a username (duplicates.usernames: drop)`, value: maskValue(username) };
    return { ...result, payload: rest, dropped: [...(result.dropped ?? []), dropped] };
  }
  const warning = { legacyId, field: 'username', rule: 'renamed', message: `same username as legacy id ${change.keptBy}, which keeps it: made unique with a suffix (duplicates.usernames: suffix)` };
  return { ...result, payload: { ...rest, username: change.to }, warnings: [...(result.warnings ?? []), warning] };
}
