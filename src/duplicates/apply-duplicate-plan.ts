import type { SourceRow } from '../extract/index.js';
import type { MapResult } from '../mapping/index.js';
import type { DuplicatePlan } from './duplicate-plan.js';
import { mergeIdentities } from './merge-identities.js';

/**
 * Wraps the row mapper so the pipeline carries out a duplicate plan: a member to reject comes
 * back as a rejection (rule `duplicate` or `duplicate_merged`, naming the kept legacy id, the
 * shared value masked); a merge survivor comes back with the other members' wallets and OAuth
 * accounts after its own (each once). Rows outside every cluster, and rows the mapping itself
 * rejects, pass through untouched. With an empty plan the mapper is returned as is.
 */
export function applyDuplicatePlan(mapRow: (row: SourceRow) => MapResult, plan: DuplicatePlan): (row: SourceRow) => MapResult {
  if (plan.decisions.size === 0) return mapRow;
  return (row) => {
    const result = mapRow(row);
    const decision = result.ok ? plan.decisions.get(result.legacyId) : undefined;
    if (!result.ok || !decision) return result;
    const warnings = result.warnings ? { warnings: result.warnings } : {};
    if (decision.action === 'reject') {
      return { ok: false, legacyId: result.legacyId, rejections: [{ legacyId: result.legacyId, ...decision.rejection }], ...warnings };
    }
    if (!decision.merged) return result;
    const { payload } = result;
    const extra = mergeIdentities([payload], [decision.merged]);
    const wallets = [...(payload.wallets ?? []), ...extra.wallets];
    const oauthAccounts = [...(payload.oauthAccounts ?? []), ...extra.oauthAccounts];
    return {
      ...result,
      payload: { ...payload, ...(wallets.length > 0 ? { wallets } : {}), ...(oauthAccounts.length > 0 ? { oauthAccounts } : {}) },
    };
  };
}
