import { scrubMessage } from '../checkpoint/scrub-message.js';
import type { RollbackResult } from './rollback-config.js';
import { KEEP_REASON_TEXT, type KeepReason, type RollbackPlan } from './rollback-plan.js';

const ids = (samples: readonly string[], count: number) =>
  samples.length === 0 ? '' : ` (legacy ids ${samples.join(', ')}${count > samples.length ? ', …' : ''})`;

/**
 * The preview shown before anything is deleted: how many users, a few legacy ids, and every group
 * left alone with the reason. Legacy ids only: no email or name reaches the terminal. Pure.
 */
export function formatRollbackPreview(job: string, environmentId: string, plan: RollbackPlan): string[] {
  const lines = [`Rollback of job ${job} in environment ${environmentId}`];
  lines.push(`  will delete   ${plan.toDelete} user(s) this job created${ids(plan.toDeleteSamples, plan.toDelete)}`);
  if (plan.alreadyRolledBack > 0) lines.push(`  already done  ${plan.alreadyRolledBack} user(s) deleted by an earlier rollback`);
  const kept = (Object.entries(plan.kept) as Array<[KeepReason, { count: number; samples: string[] }]>).filter(([, group]) => group.count > 0);
  if (kept.length > 0) {
    lines.push('  will NOT touch:');
    for (const [reason, group] of kept) lines.push(`    ${group.count} ${KEEP_REASON_TEXT[reason]}${ids(group.samples, group.count)}`);
  }
  lines.push('  Nobody outside this job\'s ledger is ever touched.');
  return lines;
}

/** The closing lines of a rollback; the API's reasons scrubbed (see `scrubMessage`). Pure but for the registry of secrets. */
export function formatRollbackResult(result: RollbackResult): string[] {
  const lines = [
    `\nRollback of job ${result.job}`,
    `  deleted         ${result.deleted}`,
    `  already gone    ${result.alreadyGone}`,
    `  failed          ${result.failed}`,
    `  duration        ${(result.durationMs / 1000).toFixed(1)} s`,
  ];
  for (const failure of result.failures.slice(0, 10)) lines.push(`    legacy id ${failure.legacyId}: ${scrubMessage(failure.reason) ?? ''}`);
  if (result.fatalError) lines.push(`  stopped: ${scrubMessage(result.fatalError) ?? ''}`);
  if (result.interrupted || result.failed > 0) lines.push(`  run the same command again to continue (deletions so far are recorded in the checkpoint)`);
  return lines;
}
